# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Staged installs on a real file system: rename file by file, and roll back when one rename fails."""
import os

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._install.staging import Stage
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ReleaseError


def stage_files(stage, files):
    staged = {}
    for name, content in files.items():
        path = os.path.join(stage.stages["bin"], name)
        with open(path, "w") as out:
            out.write(content)
        staged[("bin", name)] = path
    return staged


def manifest_for(dest, version="2.1.4"):
    return str(dest / ".containerd.runtime-containerd.json"), {"version": version, "files": []}


def test_commit_replaces_files_and_removes_what_the_old_manifest_listed(tmp_path):
    dest = tmp_path / "bin"
    dest.mkdir()
    (dest / "a").write_text("old a")
    (dest / "gone").write_text("old gone")
    (dest / "mine").write_text("not ours")
    stage = Stage({"bin": str(dest)})
    stage.prepare()
    staged = stage_files(stage, {"a": "new a", "b": "new b"})
    finals, removed = stage.commit(staged, [str(dest / "a"), str(dest / "gone")], *manifest_for(dest))
    stage.cleanup()
    assert finals == [str(dest / "a"), str(dest / "b")]
    assert removed == [str(dest / "gone")]
    assert sorted(os.listdir(dest)) == [".containerd.runtime-containerd.json", "a", "b", "mine"]
    assert (dest / "a").read_text() == "new a"


def test_a_failed_rename_restores_the_previous_files(tmp_path):
    dest = tmp_path / "bin"
    dest.mkdir()
    (dest / "a").write_text("old a")
    (dest / "z").mkdir()  # a file cannot be renamed over a directory: the second rename fails
    stage = Stage({"bin": str(dest)})
    stage.prepare()
    staged = stage_files(stage, {"a": "new a", "b": "new b", "z": "new z"})
    with pytest.raises(ReleaseError, match="previous files restored"):
        stage.commit(staged, [str(dest / "a")], *manifest_for(dest))
    stage.cleanup()
    assert (dest / "a").read_text() == "old a"
    assert not (dest / "b").exists()
    assert sorted(os.listdir(dest)) == ["a", "z"]


def test_a_destination_that_cannot_be_created_is_reported(tmp_path):
    (tmp_path / "file").write_text("")
    stage = Stage({"bin": str(tmp_path / "file" / "bin")})
    with pytest.raises(ReleaseError, match="is not writable"):
        stage.prepare()
