# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: state=absent removes the image and its tags."""

BUSYBOX = "docker.io/library/busybox:test"


def test_absent(ansible, containerd, namespace, busybox):
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/box:two", namespace=namespace)
    digest = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    args = {"name": "busybox:test", "tags": ["box:two"], "state": "absent"}

    def both_tags_removed(diff):
        assert diff["before"]["digest"] == {BUSYBOX: digest, "docker.io/library/box:two": digest}

    converged = ansible.converge("image", args, observe=lambda: containerd.lines("images", "ls", "-q",
                                                                                 namespace=namespace),
                                 expect_diff=both_tags_removed)
    assert len(converged.before) == 2
    assert converged.real["image"] is None
    assert converged.after == []
