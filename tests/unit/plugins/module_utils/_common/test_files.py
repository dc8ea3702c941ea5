# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Atomic file writes: the mode from the first byte, the temporary file beside the target, fsync, rename."""
import os
import stat

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import files


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def temporaries(directory, target):
    return [name for name in os.listdir(str(directory)) if name != target]


def test_a_secret_file_is_0600_before_its_first_byte_is_written(tmp_path):
    target = tmp_path / "secret"
    with files.atomic_file(str(target), mode=0o600) as stream:
        (temporary,) = temporaries(tmp_path, "secret")
        assert mode_of(tmp_path / temporary) == 0o600 and os.path.getsize(str(tmp_path / temporary)) == 0
        stream.write(b"password")
    assert mode_of(target) == 0o600 and target.read_bytes() == b"password"


def test_the_mode_asked_for_is_the_mode_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        files.write_atomically(str(tmp_path / "conf"), "x", mode=0o644)
    finally:
        os.umask(old)
    assert mode_of(tmp_path / "conf") == 0o644


def test_the_temporary_file_is_in_the_target_directory_with_the_prefix(tmp_path):
    with files.atomic_file(str(tmp_path / "a.conflist"), prefix=".a.conflist.") as stream:
        (temporary,) = temporaries(tmp_path, "a.conflist")
        stream.write(b"{}")
    assert temporary.startswith(".a.conflist.")
    assert os.listdir(str(tmp_path)) == ["a.conflist"]


def test_a_failure_while_writing_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "conf"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with files.atomic_file(str(target)) as stream:
            stream.write(b"half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old" and os.listdir(str(tmp_path)) == ["conf"]


def test_the_content_is_synced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_rename = os.fsync, os.rename
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "rename", lambda a, b: (events.append("rename"), real_rename(a, b))[1])
    files.write_atomically(str(tmp_path / "conf"), b"data")
    assert events[:2] == ["fsync", "rename"]


def test_text_is_written_as_utf8(tmp_path):
    files.write_atomically(str(tmp_path / "conf"), "é")
    assert (tmp_path / "conf").read_bytes() == "é".encode("utf-8")


def test_a_missing_directory_is_created_only_when_asked(tmp_path):
    with pytest.raises(FileNotFoundError):
        files.write_atomically(str(tmp_path / "new" / "conf"), "x")
    files.write_atomically(str(tmp_path / "new" / "conf"), "x", dir_mode=0o700)
    assert mode_of(tmp_path / "new") == 0o700


def test_keep_attrs_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "conf"
    target.write_text("old")
    os.chmod(str(target), 0o640)
    files.write_atomically(str(target), "new", mode=0o644, keep_attrs=True)
    assert mode_of(target) == 0o640 and target.read_text() == "new"
    files.write_atomically(str(tmp_path / "fresh"), "new", mode=0o644, keep_attrs=True)
    assert mode_of(tmp_path / "fresh") == 0o644
