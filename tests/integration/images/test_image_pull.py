# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: pulling from a real registry (plain HTTP, HTTPS with a private CA, HTTPS + basic auth)."""
import pytest


def image_digests(containerd, namespace):
    """{name: digest} as plain ``ctr images ls`` shows them."""
    rows = containerd.lines("images", "ls", namespace=namespace)[1:]
    return {row.split()[0]: row.split()[2] for row in rows}


@pytest.mark.parametrize("kind", ["registry", "tls_registry", "auth_registry"])
def test_pull(request, ansible, containerd, namespace, busybox_archive, publish, repo, kind):
    server = request.getfixturevalue(kind)
    ref, digest = publish(server, busybox_archive, repo, "1")
    args = dict(server.module_args(), name=ref)

    check, real, _check_again, again = converged = ansible.converge(
        "image", args, observe=lambda: image_digests(containerd, namespace),
        expect_diff={"before": {"digest": None, "state": "absent"}, "after": {"digest": digest, "state": "present"}})
    assert check["image"]["digest"] == digest
    assert converged.before == {}
    assert real["image"]["name"] == ref and real["image"]["digest"] == digest
    assert real["image"]["platforms"] and real["image"]["size_bytes"] > 0
    assert real["actions"] == ["pulled %s (%s)" % (ref, digest[:19])]
    assert converged.after == {ref: digest}
    assert again["actions"] == []


def test_pull_missing_does_no_network_io_when_the_image_is_present(ansible, containerd, namespace, busybox):
    # nothing listens on port 1: any registry request would fail the task
    ref = "127.0.0.1:1/offline/busybox:1"
    containerd.ctr("images", "tag", busybox, ref, namespace=namespace)
    args = {"name": ref, "plain_http": True}
    assert ansible.module("image", args, check=True)["status"] == "ok"
    result = ansible.module("image", args)
    assert result["status"] == "ok", result
    assert result["image"]["digest"] == image_digests(containerd, namespace)[ref]


def test_pull_always_follows_a_moved_tag(ansible, containerd, namespace, registry, publish, repo,
                                         busybox_archive, busybox_v2_archive):
    ref, old = publish(registry, busybox_archive, repo, "1")
    args = {"name": ref, "plain_http": True, "pull": "always"}
    assert ansible.module("image", args)["status"] == "changed"
    assert ansible.module("image", args)["status"] == "ok"
    _ref, new = publish(registry, busybox_v2_archive, repo, "1")
    assert new != old

    converged = ansible.converge("image", args, observe=lambda: image_digests(containerd, namespace),
                                 expect_diff={"before": {"digest": old}, "after": {"digest": new}})
    assert converged.check["image"]["digest"] == new
    assert converged.before == {ref: old}
    assert converged.real["image"]["digest"] == new
    assert converged.after == {ref: new}


def test_an_incomplete_image_is_pulled_again(ansible, containerd, namespace, registry, publish, repo,
                                             busybox_archive):
    ref, digest = publish(registry, busybox_archive, repo, "1")
    args = {"name": ref, "plain_http": True}
    assert ansible.module("image", args)["status"] == "changed"
    layers = [line.split()[0] for line in containerd.lines("content", "ls", namespace=namespace)[1:]
              if "containerd.io/uncompressed" in line]
    assert layers
    containerd.ctr("content", "rm", layers[0], namespace=namespace)
    assert "incomplete (" in containerd.ctr("images", "check", namespace=namespace).stdout

    converged = ansible.converge(
        "image", args, observe=lambda: "incomplete (" in containerd.ctr("images", "check", namespace=namespace).stdout)
    assert converged.before is True
    assert converged.real["actions"] == ["pulled %s again (incomplete locally)" % ref]
    assert converged.after is False


def test_short_names_are_normalised(ansible, containerd, namespace, busybox):
    result = ansible.module("image", {"name": "busybox:test", "source": "local"})
    assert result["status"] == "ok", result
    assert result["image"]["name"] == "docker.io/library/busybox:test"


def test_an_image_not_unpacked_for_the_snapshotter_is_pulled_again(ansible, containerd, namespace, registry,
                                                                   publish, repo, busybox_archive):
    ref, _digest = publish(registry, busybox_archive, repo, "1")
    assert ansible.module("image", {"name": ref, "plain_http": True})["status"] == "changed"
    args = {"name": ref, "plain_http": True, "snapshotter": "native"}
    converged = ansible.converge("image", args, observe=lambda: containerd.ctr(
        "images", "check", "--snapshotter", "native", namespace=namespace).stdout.split()[-1])
    assert converged.before == "false"
    assert converged.real["actions"] == ["pulled %s again (not unpacked locally)" % ref]
    assert converged.after == "true"
