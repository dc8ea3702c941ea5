# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: export_path writes an archive, rewritten only when the image's digest differs from the archive's."""
import json
import tarfile

BUSYBOX = "docker.io/library/busybox:test"


def archive_digest(path):
    with tarfile.open(path) as tar:
        index = json.load(tar.extractfile("index.json"))
    return [m["digest"] for m in index["manifests"]
            if m.get("annotations", {}).get("io.containerd.image.name") == BUSYBOX]


def test_export(ansible, containerd, namespace, busybox, tmp_path, busybox_v2_archive):
    digest = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    path = tmp_path / "out" / "busybox.tar"
    path.parent.mkdir()
    args = {"name": BUSYBOX, "source": "local", "export_path": str(path)}

    def exported(diff):
        assert diff["after"]["export"] == {"path": str(path), "digest": digest}

    # the directory with each file's mtime: the idempotent runs rewrite nothing and leave no temp file
    converged = ansible.converge("image", args, expect_diff=exported, observe=lambda: {
        entry.name: entry.stat().st_mtime_ns for entry in path.parent.iterdir()})
    assert converged.before == {}
    assert list(converged.after) == [path.name]
    assert archive_digest(path) == [digest]

    # the image moves to another digest: the archive is rewritten
    containerd.ctr("images", "import", *(["--local"] if containerd.version.startswith("2") else []),
                   busybox_v2_archive, namespace=namespace)
    new = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    assert new != digest
    result = ansible.module("image", args, diff=True)
    assert result["status"] == "changed", result
    assert result["diff"]["before"]["export"]["digest"] == digest
    assert archive_digest(path) == [new]
