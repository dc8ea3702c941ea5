# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role's registries in use: pulls through an authenticated mirror that only
``containerd_registries`` defines, while the original registry is absent (nothing listens there)."""
import uuid

from harness.registry import PASSWORD, USERNAME, free_port
from harness.roles import changed_tasks

BUSYBOX = "docker.io/library/busybox:test"


def mirror_only(original, mirror):
    """A registry entry whose only working route is ``mirror`` (an HTTPS registry with basic auth)."""
    return [{"name": original, "server": "http://%s" % original,
             "mirrors": [{"url": mirror.url, "ca": str(mirror.ca), "username": USERNAME, "password": PASSWORD}]}]


def published(role_host, registry, archive):
    """Push the busybox test image to ``registry`` with the role's daemon; returns (repository, digest)."""
    repository = "mirror-%s" % uuid.uuid4().hex[:8]
    registry.push(role_host, "setup", archive, BUSYBOX, repository, "1")
    return repository, registry.digest(repository, "1")


def test_pull_through_an_authenticated_mirror_defined_only_by_the_role(role_host, auth_registry, busybox_archive):
    original = "127.0.0.1:%d" % free_port()  # the original registry is absent
    play = role_host.play(containerd_registries=mirror_only(original, auth_registry))
    assert play.rc == 0, play
    repository, digest = published(role_host, auth_registry, busybox_archive)
    ref = "%s/%s:1" % (original, repository)
    args = {"name": ref, "hosts_dir": str(role_host.certs), "address": role_host.socket,
            "ctr_path": str(role_host.bin / "ctr"), "namespace": "pulled"}

    pulled = role_host.ansible.module("image", args)
    assert pulled["status"] == "changed", pulled
    assert pulled["image"]["digest"] == digest
    assert role_host.ctr("images", "ls", "-q", namespace="pulled").stdout.split() == [ref]
    assert role_host.ansible.module("image", args)["status"] == "ok"
    # plain ctr reads the same hosts.toml (its Authorization header works on 1.x and 2.x alike)
    assert role_host.ctr("images", "pull", "--hosts-dir", role_host.certs, ref, namespace="plain",
                         check=False).returncode == 0


def test_the_mirror_refuses_the_pull_without_the_roles_credentials(role_host, auth_registry, busybox_archive):
    original = "127.0.0.1:%d" % free_port()
    entry = mirror_only(original, auth_registry)
    del entry[0]["mirrors"][0]["username"], entry[0]["mirrors"][0]["password"]
    play = role_host.play(containerd_registries=entry)
    assert play.rc == 0, play
    repository, _digest = published(role_host, auth_registry, busybox_archive)
    ref = "%s/%s:1" % (original, repository)

    pull = role_host.ctr("images", "pull", "--hosts-dir", role_host.certs, ref, namespace="plain", check=False)
    assert pull.returncode != 0
    assert any(word in pull.stderr.lower() for word in ("401", "unauthorized", "authorization")), pull.stderr
    assert role_host.ctr("images", "ls", "-q", namespace="plain").stdout.split() == []
    assert changed_tasks(role_host.play(containerd_registries=entry)) == []
