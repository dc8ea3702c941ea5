# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Credentials stay with their origin when a registry redirects (issue 13, finding 1), through the image module.

``harness.registry.RedirectingProxy`` stands in front of the real auth registry and answers every authenticated
manifest or blob request with 302 to another loopback origin (another port), which records what it receives and
serves the content. Our own lookups (check mode, and the token lookup before a real pull) send the password to
the registry and never to the other origin.

What ctr itself does with the Authorization header of the private hosts.toml the module gives it (seen on
2026-12-02, not asserted: it is ctr's behaviour, not ours): ctr 1.6.20 does not send it to the other origin;
ctr 2.1.9 sends it to another port of the same host (127.0.0.1:A -> 127.0.0.1:B; Go's redirect rule compares
host names, not ports) and not to another host name (127.0.0.1 -> localhost).
"""
import pytest

from harness.registry import RedirectingProxy

CTR = "containerd/"  # the User-Agent of ctr's requests; every other one is the collection's own lookup


def _ours(received):
    return [entry for entry in received if not entry[2].get("User-Agent", "").startswith(CTR)]


@pytest.fixture
def redirecting(auth_registry, publish, repo, busybox_archive, tmp_path):
    """The test image in the auth registry, reached through a RedirectingProxy; yields (proxy, task args)."""
    _ref, digest = publish(auth_registry, busybox_archive, repo, "1")
    proxy = RedirectingProxy(auth_registry)
    try:
        args = {"name": proxy.ref(repo, "1"), "hosts_dir": str(proxy.write_hosts_toml(tmp_path / "certs.d")),
                "username": auth_registry.username, "password": auth_registry.password, "pull": "always"}
        yield proxy, args, digest
    finally:
        proxy.stop()


def _authorized(received):
    return [(method, path, headers.get("User-Agent")) for method, path, headers in received
            if any(key.lower() == "authorization" for key in headers)]


def test_check_mode_lookups_send_no_credentials_to_the_origin_a_registry_redirects_to(ansible, containerd, namespace, redirecting):
    proxy, args, digest = redirecting
    result = ansible.module("image", args, check=True)
    assert result["status"] == "changed", result
    assert result["image"]["digest"] == digest  # what the other origin served
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []
    assert proxy.redirected, "the registry's front redirected nothing"
    ours = _ours(proxy.received)
    assert ours, "the redirected lookup never reached the other origin: %s" % proxy.received
    assert _authorized(ours) == []


def test_a_real_pull_through_a_redirecting_registry_leaks_nothing_from_our_code(ansible, containerd, namespace, redirecting):
    proxy, args, _digest = redirecting
    result = ansible.module("image", args)
    assert result["status"] == "changed", result
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == [args["name"]]
    assert proxy.redirected and proxy.received  # ctr followed the redirect to the other origin
    # our token lookup before the pull asks /v2/ (not redirected): nothing of ours reached the other origin
    assert _authorized(_ours(proxy.received)) == []
