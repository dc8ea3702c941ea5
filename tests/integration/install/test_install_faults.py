# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults: each fails with a clear message, installs nothing, and leaves the previous binaries runnable."""
import hashlib
import json
import subprocess

import pytest

from harness.assertions import assert_clean_failure
from harness.installed import free_port
from harness.release_mirror import BROKEN_VERSION


def test_checksum_mismatch(install, previous, mirror, versions, archive_name, tmp_path, matrix):
    path = mirror.path("containerd", versions["2.x"], archive_name("2.x"))
    mirror.faults[path] = "tamper"
    try:
        result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest))
    finally:
        del mirror.faults[path]
    assert_clean_failure(result, "checksum mismatch", archive_name("2.x"), "nothing was installed")
    assert not list((tmp_path / "cache").rglob(archive_name("2.x")))  # a bad file is not kept in the cache
    matrix.row("bad checksum (release file tampered)", result["msg"], "previous containerd 1.7: binaries, manifest, version; nothing staged")
    previous()


def test_pinned_checksum_mismatch_on_the_host(install, previous, versions):
    result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest), download_on="host",
                     checksum="sha256:" + "0" * 64)
    assert_clean_failure(result, "checksum mismatch", "expected sha256:" + "0" * 64)
    previous()


def test_mirror_down(install, previous, versions, matrix):
    result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest),
                     mirror="http://127.0.0.1:%d" % free_port(), retries=1, timeout=5)
    assert_clean_failure(result, "failed after 2 attempt(s)", "cannot connect to 127.0.0.1")
    matrix.row("mirror down", result["msg"], "previous containerd 1.7: binaries, manifest, version; nothing staged")
    previous()


def test_archive_truncated_mid_transfer(install, previous, mirror, versions, archive_name, matrix):
    path = mirror.path("containerd", versions["2.x"], archive_name("2.x"))
    mirror.faults[path] = "truncate"
    mark = mirror.mark()
    try:
        result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest), retries=1)
    finally:
        del mirror.faults[path]
    assert_clean_failure(result, "failed after 2 attempt(s)", "transfer interrupted")
    assert mirror.gets(archive_name("2.x"), since=mark) == 2  # retried once
    matrix.row("truncated download (controller)", result["msg"], "previous containerd 1.7: binaries, manifest, version; nothing staged")
    previous()


def test_archive_truncated_on_the_host(install, previous, mirror, versions, archive_name, matrix):
    path = mirror.path("containerd", versions["2.x"], archive_name("2.x"))
    mirror.faults[path] = "truncate"
    try:
        result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest), retries=0,
                         download_on="host")
    finally:
        del mirror.faults[path]
    assert_clean_failure(result, "failed after 1 attempt(s)", "interrupted")
    matrix.row("truncated download (host)", result["msg"], "previous containerd 1.7: binaries, manifest, version; nothing staged")
    previous()


def test_archive_without_the_expected_files(install, previous):
    result = install(name="containerd", version=BROKEN_VERSION, dest=str(previous.dest))
    assert_clean_failure(result, "does not hold the expected files", "containerd (bin)",
                         "containerd-shim-runc-v2 (bin)")
    previous()


def test_unknown_arch(install, previous, versions):
    result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest), arch="sparc64")
    assert_clean_failure(result, "unknown arch 'sparc64'", "amd64")
    previous()


def test_version_that_does_not_exist(install, previous, mirror):
    mark = mirror.mark()
    result = install(name="containerd", version="9.9.9", dest=str(previous.dest))
    assert_clean_failure(result, "does not exist (HTTP 404)", "v9.9.9")
    assert mirror.gets(".sha256sum", since=mark) == 1  # a 404 is not retried
    previous()


def test_bad_input(ansible, root, mirror):
    cases = [
        ({"name": "containerd", "version": "latest"}, "not a release version"),
        ({"name": "containerd"}, "version is required"),
        ({"name": "runc", "bundle": "cri", "version": "1.1.5"}, "bundle"),
        ({"name": "runc", "version": "1.1.5", "checksum": "md5:abc"}, "checksum must"),
        ({"name": "runc", "version": "1.1.5", "dest": "relative/dir"}, "absolute path"),
        ({"name": "runc", "version": "1.1.5", "timeout": 0}, "timeout must be a positive"),
    ]
    tasks = [{"containerd.runtime.containerd_install": dict({"dest": str(root), "mirror": mirror.url}, **args)}
             for args, _fragment in cases]
    play = ansible.run(tasks)
    assert len(play) == len(cases), play
    for index, (_args, fragment) in enumerate(cases):
        assert_clean_failure(dict(play[index], status=play.status(index)), fragment)
    assert list(root.iterdir()) == []


@pytest.fixture
def read_only(previous):
    """previous.dest bind-mounted read-only onto itself (root ignores permission bits, not a ro mount)."""
    dest = str(previous.dest)
    subprocess.run(["mount", "--bind", dest, dest], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", dest], check=True)
        yield previous
    finally:
        subprocess.run(["umount", dest], check=True)


def test_destination_not_writable(install, read_only, versions, matrix):
    result = install(name="containerd", version=versions["2.x"], dest=str(read_only.dest))
    assert_clean_failure(result, "destination %s is not writable" % read_only.dest, "Read-only file system")
    matrix.row("binary directory read-only", result["msg"], "previous containerd 1.7: binaries, manifest, version; nothing staged")
    read_only()


def test_an_archive_whose_binary_reports_another_version(install, previous, mirror, versions, archive_name):
    """A release file for the wrong version (here 1.6's under a pinned checksum) is refused before install."""
    path = mirror.root / mirror.path("containerd", versions["1.6"], archive_name("1.6")).lstrip("/")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = install(name="containerd", version=versions["2.x"], dest=str(previous.dest), mirror=None,
                     url=str(path), checksum="sha256:" + digest)
    assert_clean_failure(result, "reports version %s, not %s" % (versions["1.6"], versions["2.x"]),
                         "nothing was installed")
    previous()


def test_a_manifest_that_lists_files_elsewhere_removes_only_its_own(install, previous, tmp_path):
    victim = tmp_path / "etc" / "ssh" / "sshd_config"
    victim.parent.mkdir(parents=True)
    victim.write_text("PermitRootLogin no\n")
    manifest = previous.dest / ".containerd.runtime-containerd.json"
    data = json.loads(manifest.read_text())
    data["files"].append({"path": str(victim), "sha256": "0" * 64})
    manifest.write_text(json.dumps(data))
    result = install(name="containerd", state="absent", dest=str(previous.dest))
    assert result["status"] == "changed", result
    assert victim.read_text() == "PermitRootLogin no\n" and str(victim) not in result["removed"]
    assert any("left alone: %s" % victim in warning for warning in result["warnings"]), result
    assert not (previous.dest / "containerd").exists() and not manifest.exists()
