# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: labels set, changed and removed with a diff."""

BUSYBOX = "docker.io/library/busybox:test"


def labels(containerd, namespace):
    row = containerd.lines("images", "ls", namespace=namespace)[1].split()
    return {} if row[-1] == "-" else dict(item.split("=", 1) for item in row[-1].split(","))


def test_labels(ansible, containerd, namespace, busybox):
    containerd.ctr("images", "label", BUSYBOX, "keep=1", "change=old", "drop=x", namespace=namespace)
    args = {"name": BUSYBOX, "source": "local", "labels": {"change": "new", "drop": None, "add": "yes"}}

    converged = ansible.converge("image", args, observe=lambda: labels(containerd, namespace), expect_diff={
        "before": {"labels": {"keep": "1", "change": "old", "drop": "x"}},
        "after": {"labels": {"keep": "1", "change": "new", "add": "yes"}}})
    assert converged.before == {"keep": "1", "change": "old", "drop": "x"}
    assert converged.real["image"]["labels"] == {"keep": "1", "change": "new", "add": "yes"}
    assert converged.after == {"keep": "1", "change": "new", "add": "yes"}
