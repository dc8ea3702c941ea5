# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: bad input and faults fail with a clear message, no traceback, nothing half-done left listed."""
import json

import pytest

from harness.assertions import assert_clean_failure
from harness.registry import free_port

BAD_REFERENCES = {
    "upper-case": "BusyBox",
    "space": "busy box",
    "scheme": "https://example.com/app",
    "bad-tag": "busybox:-x",
    "bad-digest": "busybox@sha256:abc",
    "empty": "",
    "double-slash": "example.com//app",
}


def test_malformed_references_fail_before_anything_runs(ansible, containerd, namespace):
    play = ansible.run([{"name": key, "containerd.runtime.image": {"name": value}}
                        for key, value in BAD_REFERENCES.items()])
    assert play.statuses() == ["failed"] * len(BAD_REFERENCES), play
    for index in range(len(BAD_REFERENCES)):
        assert "cmd" not in play[index], play[index]
        assert_clean_failure(dict(play[index], status="failed"), "invalid image reference")
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []


@pytest.mark.parametrize("check", [False, True], ids=["real", "check"])
def test_a_wrong_password_fails_and_never_shows(ansible, containerd, namespace, auth_registry, publish, repo,
                                                busybox_archive, check, matrix):
    ref, _digest = publish(auth_registry, busybox_archive, repo, "1")
    secret = "Wr0ng-pa55-%s" % repo[-8:]
    task = {"containerd.runtime.image": {"name": ref, "hosts_dir": str(auth_registry.hosts_dir),
                                         "username": auth_registry.username, "password": secret,
                                         "pull": "always"}}
    play = ansible.run([task], check=check, verbosity=3)
    result = dict(play[0], status=play.status(0))
    assert_clean_failure(result, "rejected the credentials")
    everything = play.stdout + play.stderr + json.dumps(play.records)
    assert secret not in everything
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []
    matrix.row("wrong password (%s, containerd %s)" % ("check mode" if check else "pull", containerd.version), result["msg"],
               "the namespace's images (none pulled); the password in no output")


@pytest.mark.parametrize("check", [False, True], ids=["real", "check"])
def test_a_registry_that_is_down_fails_cleanly(ansible, containerd, namespace, check, matrix):
    ref = "127.0.0.1:%d/down/busybox:1" % free_port()
    result = ansible.module("image", {"name": ref, "plain_http": True}, check=check)
    assert_clean_failure(result, "not reachable")
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []
    matrix.row("registry down (%s, containerd %s)" % ("check mode" if check else "pull", containerd.version), result["msg"],
               "the namespace's images (none pulled)")


@pytest.mark.parametrize("check", [False, True], ids=["real", "check"])
def test_a_tls_registry_without_its_ca_fails_cleanly(ansible, containerd, namespace, tls_registry, publish, repo,
                                                     busybox_archive, check, tmp_path, matrix):
    ref, _digest = publish(tls_registry, busybox_archive, repo, "1")
    # a hosts_dir that names the registry's HTTPS endpoint but does not carry its CA (without any hosts.toml,
    # containerd skips verification for loopback registries)
    hosts = tmp_path / "certs.d" / tls_registry.host
    hosts.mkdir(parents=True)
    (hosts / "hosts.toml").write_text('server = "%s"\n\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n'
                                      % (tls_registry.url, tls_registry.url))
    result = ansible.module("image", {"name": ref, "hosts_dir": str(tmp_path / "certs.d")}, check=check)
    assert_clean_failure(result, "not trusted", "hosts_dir")
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []
    matrix.row("wrong CA (%s, containerd %s)" % ("check mode" if check else "pull", containerd.version), result["msg"],
               "the namespace's images (none pulled)")


def test_an_image_missing_from_the_registry_fails_cleanly(ansible, containerd, namespace, registry, repo):
    result = ansible.module("image", {"name": registry.ref(repo, "nope"), "plain_http": True})
    assert_clean_failure(result, "not found")
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []


def test_source_local_needs_the_image(ansible, containerd, namespace):
    result = ansible.module("image", {"name": "example.com/none:1", "source": "local"})
    assert_clean_failure(result, "does not exist", "source=local")


BAD_OPTIONS = {
    "import-without-archive": ({"source": "import"}, "source=import needs archive_path"),
    "archive-without-import": ({"archive_path": "/tmp/x.tar"}, "archive_path is only used with source=import"),
    "password-without-user": ({"password": "x"}, "password needs username"),
    "platform-and-all": ({"platform": "linux/amd64", "all_platforms": True}, "exclude each other"),
    "bad-tag": ({"tags": ["Bad Tag"]}, "tags: invalid image reference"),
    "comma-label": ({"labels": {"a": "b,c"}}, "must not contain ','"),
}


def test_bad_option_combinations_fail_before_anything_runs(ansible, containerd, namespace):
    play = ansible.run([{"name": key, "containerd.runtime.image": dict(args, name="busybox")}
                        for key, (args, _message) in BAD_OPTIONS.items()])
    assert play.statuses() == ["failed"] * len(BAD_OPTIONS), play
    for index, (_args, message) in enumerate(BAD_OPTIONS.values()):
        assert "cmd" not in play[index], play[index]
        assert_clean_failure(dict(play[index], status="failed"), message)
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []
