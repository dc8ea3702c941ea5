# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix of containerd_install (issue 13): each fault fails with a clear message (no traceback) and
keeps the previous install as it was; an install killed between two renames is healed by the next run.

The other faults of the matrix live beside the code they test and add their rows too: bad checksum, truncated
download, mirror down, read-only binary directory (test_install_faults.py). Each case runs once, on containerd
1.7 -> 2.x: the install code does not depend on the daemon's version. The table is printed at the end of the
run and written to .build/reports/fault-matrix.md (conftest.py).
"""
import json
import os
import shutil
import subprocess

import pytest

from harness.assertions import assert_clean_failure
from harness.installed import staging_leftovers

MODULE = "containerd.runtime.containerd_install"  # as install/conftest.py has it (a "conftest" import depends on collection order)

KILL = "_CONTAINERD_RUNTIME_TEST_KILL_AFTER_RENAMES"
MANIFEST = ".containerd.runtime-containerd.json"
KEPT = "previous containerd 1.7: binaries, manifest, version; nothing staged"


def test_a_mirror_that_hangs_times_out(install, previous, mirror, versions, archive_name, matrix):
    path = mirror.path("containerd", versions["2.x"], archive_name("2.x"))
    mirror.faults[path] = "hang"
    try:
        result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest), timeout=2, retries=0)
    finally:
        del mirror.faults[path]
    assert_clean_failure(result, "failed after 1 attempt(s)", "no answer within 2s")
    previous()
    matrix.row("mirror that hangs (timeout)", result["msg"], KEPT)


def test_a_malformed_manifest_fails_naming_it(install, previous, versions, matrix):
    manifest = previous.dest / MANIFEST
    good = manifest.read_text()
    broken = dict(json.loads(good), files=["/usr/bin/x", {"path": 5}])
    manifest.write_text(json.dumps(broken))
    result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest))
    assert_clean_failure(result, "the install manifest %s is malformed" % manifest, "files[0]")
    assert json.loads(manifest.read_text()) == broken  # not "repaired" behind the user's back
    manifest.write_text(good)
    previous()
    matrix.row("malformed manifest", result["msg"], "the manifest as it was, every binary")


def test_an_install_killed_between_two_renames_is_healed_by_the_next_run(ansible, install, previous, mirror,
                                                                         versions, tmp_path, matrix):
    dest = previous.dest
    args = {"name": "containerd", "version": versions["2.x"], "dest": str(dest), "mirror": mirror.url,
            "cache_dir": str(tmp_path / "cache")}
    killed = ansible.module(MODULE, args, env={KILL: "1"})
    assert killed["status"] == "failed", killed
    # what the kill left: containerd new, ctr and the shim old, the manifest old, the marker and the stage
    assert versions["2.x"] in subprocess.run([str(dest / "containerd"), "--version"], capture_output=True,
                                             text=True, check=True).stdout
    assert (dest / (MANIFEST + ".installing")).exists() and staging_leftovers(dest)
    healed = install(name="containerd", version=versions["2.x"], dest=str(dest))
    assert healed["status"] == "changed", healed
    assert healed["actions"][0].startswith("rolled back an install that was interrupted during its renames")
    assert any("rolled back" in warning for warning in healed.get("warnings", []))
    manifest = json.loads((dest / MANIFEST).read_text())
    assert manifest["version"] == versions["2.x"]
    for entry in manifest["files"]:
        assert subprocess.run(["sha256sum", entry["path"]], capture_output=True, text=True,
                              check=True).stdout.split()[0] == entry["sha256"]
    for binary in ("containerd", "ctr"):
        assert versions["2.x"] in subprocess.run([str(dest / binary), "--version"], capture_output=True,
                                                 text=True, check=True).stdout
    assert not (dest / (MANIFEST + ".installing")).exists() and staging_leftovers(dest) == []
    assert install(name="containerd", version=versions["2.x"], dest=str(dest))["status"] == "ok"
    matrix.row("install killed between two renames", "the killed run: MODULE FAILURE (SIGKILL); the next run: "
               + healed["actions"][0], "the next run rolled back to 1.7, then installed 2.x whole; no leftovers")


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs mounted at tmp_path/small (unmounted at teardown); ``small_disk.shrink(free)`` leaves ``free``
    bytes free on it."""
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m,mode=0755", "tmpfs", str(mount)], check=True)

    def shrink(free):
        used = shutil.disk_usage(str(mount)).used
        subprocess.run(["mount", "-o", "remount,size=%d" % (used + free), str(mount)], check=True)
    mount_point = type("SmallDisk", (), {"path": mount, "shrink": staticmethod(shrink)})
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def archive_size(mirror, versions, archive_name):
    return os.path.getsize(str(mirror.root / mirror.path("containerd", versions["2.x"],
                                                         archive_name("2.x")).lstrip("/")))


def test_a_full_disk_during_the_download_installs_nothing(install, installed, small_disk, versions, matrix):
    before = installed(small_disk.path / "bin")
    small_disk.shrink(1024 * 1024)
    result = install(name="containerd", version=versions["2.x"], dest=str(before.dest), download_on="host",
                     retries=2)
    assert_clean_failure(result, "writing the download to", "No space left on device", "nothing was installed")
    small_disk.shrink(512 * 1024 * 1024)
    before()
    matrix.row("disk full during the download (host)", result["msg"], KEPT)


def test_a_full_disk_during_the_extraction_installs_nothing(install, installed, small_disk, mirror, versions,
                                                            archive_name, matrix):
    before = installed(small_disk.path / "bin")
    small_disk.shrink(archive_size(mirror, versions, archive_name) + 2 * 1024 * 1024)
    result = install(name="containerd", version=versions["2.x"], dest=str(before.dest))
    assert_clean_failure(result, "cannot extract the archive into", "No space left on device",
                         "nothing was installed")
    small_disk.shrink(512 * 1024 * 1024)
    before()
    matrix.row("disk full during the extraction", result["msg"], KEPT)
