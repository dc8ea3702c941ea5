# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: tags that must point at the same image (ctr images tag --force semantics)."""

BUSYBOX = "docker.io/library/busybox:test"


def listed(containerd, namespace):
    return {row.split()[0]: row.split()[2] for row in containerd.lines("images", "ls", namespace=namespace)[1:]}


def test_tag(ansible, containerd, namespace, busybox):
    digest = listed(containerd, namespace)[BUSYBOX]
    args = {"name": BUSYBOX, "source": "local", "tags": ["box:one", "example.com/tools/box:two"]}
    tags = ["docker.io/library/box:one", "example.com/tools/box:two"]

    converged = ansible.converge("image", args, observe=lambda: listed(containerd, namespace), expect_diff={
        "before": {"tags": dict.fromkeys(tags)}, "after": {"tags": dict.fromkeys(tags, digest)}})
    assert list(converged.before) == [BUSYBOX]
    assert converged.real["image"]["tags"] == tags
    assert converged.after == dict.fromkeys([BUSYBOX] + tags, digest)


def test_a_tag_pointing_elsewhere_is_moved_and_reported(ansible, containerd, namespace, busybox,
                                                        busybox_v2_archive):
    digest = listed(containerd, namespace)[BUSYBOX]
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/old:v1", namespace=namespace)
    containerd.ctr("images", "import", *(["--local"] if containerd.version.startswith("2") else []),
                   "--base-name", "docker.io/library/busybox", busybox_v2_archive, namespace=namespace)
    v2 = listed(containerd, namespace)[BUSYBOX]
    assert v2 != digest
    args = {"name": "docker.io/library/old:v1", "source": "local", "tags": ["moving:tag"]}
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/moving:tag", namespace=namespace)

    converged = ansible.converge("image", args, observe=lambda: listed(containerd, namespace), expect_diff={
        "before": {"tags": {"docker.io/library/moving:tag": v2}},
        "after": {"tags": {"docker.io/library/moving:tag": digest}}})
    assert converged.before["docker.io/library/moving:tag"] == v2
    assert converged.real["actions"] == [
        "moved tag docker.io/library/moving:tag from %s to %s" % (v2[:19], digest[:19])]
    assert converged.after["docker.io/library/moving:tag"] == digest
