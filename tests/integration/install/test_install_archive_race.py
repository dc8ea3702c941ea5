# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The archive race (issue 13, finding 4), through containerd_install: an ``archive:`` in a directory others can
write, pinned to the good archive's checksum, swapped with an evil one while the module runs, never installs the
evil binary; an archive path that is a symbolic link is refused."""
import gzip
import hashlib
import io
import os
import tarfile
import threading

import pytest

from harness.assertions import assert_clean_failure
from harness.installed import staging_leftovers

MODULE = "containerd.runtime.containerd_install"
RUNS = 8


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _members(path):
    """{base name: content} of the regular files of a tarball."""
    with tarfile.open(str(path), "r:*") as tar:
        return {os.path.basename(member.name): tar.extractfile(member).read() for member in tar.getmembers()
                if member.isreg()}


def _evil_copy(good, evil):
    """``evil``: ``good`` with its containerd binary changed (still runnable, still the same version)."""
    raw = io.BytesIO()
    with tarfile.open(str(good), "r:*") as source, tarfile.open(fileobj=raw, mode="w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isreg() else None
            if member.isreg() and os.path.basename(member.name) == "containerd":
                data += b"\0evil payload\0"
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    with open(str(evil), "wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=1) as gz:
        gz.write(raw.getvalue())


class Swapper(threading.Thread):
    """Keeps replacing ``path`` (atomically, by rename) with ``good`` and ``evil`` in turn until stopped."""

    def __init__(self, path, good, evil):
        super().__init__(daemon=True)
        self.path, self.sources = path, (good, evil)
        self.swaps = 0
        self.stopped = threading.Event()

    def run(self):
        spare = self.path.parent / (".swap-" + self.path.name)
        while not self.stopped.is_set():
            if spare.exists():
                spare.unlink()
            os.link(str(self.sources[self.swaps % 2]), str(spare))
            os.replace(str(spare), str(self.path))
            self.swaps += 1
            self.stopped.wait(0.001)  # pacing: leaves the machine's cores to the module runs

    def stop(self):
        self.stopped.set()
        self.join(10)


@pytest.fixture
def archives(mirror, versions, archive_name, tmp_path):
    """(good, evil, shared): containerd 1.7's release archive, the same with a changed containerd binary (both
    private), and a directory that everyone may write to (mode 1777), as /tmp."""
    good = mirror.root / mirror.path("containerd", versions["1.7"], archive_name("1.7")).lstrip("/")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    evil = private / "evil.tar.gz"
    _evil_copy(good, evil)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    return good, evil, shared


def test_an_archive_swapped_during_the_runs_never_installs_the_evil_binary(ansible, archives, versions, root,
                                                                           matrix):
    good, evil, shared = archives
    wanted = {name: _sha256(data) for name, data in _members(good).items()}
    evil_containerd = _sha256(_members(evil)["containerd"])
    assert evil_containerd != wanted["containerd"]
    archive = shared / good.name
    os.link(str(good), str(archive))
    tasks = [{MODULE: {"name": "containerd", "version": versions["1.7"], "dest": str(root / ("bin%d" % run)),
                       "archive": str(archive), "checksum": "sha256:" + _sha256(good.read_bytes())}}
             for run in range(RUNS)]
    swapper = Swapper(archive, good, evil)
    swapper.start()
    try:
        play = ansible.run(tasks)
    finally:
        swapper.stop()
    assert len(play) == RUNS and swapper.swaps > RUNS, (play, swapper.swaps)
    messages = []
    for run in range(RUNS):
        dest, result = root / ("bin%d" % run), play[run]
        if play.status(run) == "failed":
            assert_clean_failure(dict(result, status="failed"), "checksum mismatch", "nothing was installed")
            assert not (dest / "containerd").exists()
            messages.append(result["msg"])
        else:
            assert play.status(run) == "changed", result
            assert {os.path.basename(entry["path"]): entry["sha256"] for entry in result["files"]} == wanted
            assert {path.name: _sha256(path.read_bytes()) for path in dest.iterdir()
                    if not path.name.startswith(".")} == wanted
        assert staging_leftovers(dest) == []
    seen = "%d of %d runs failed: %s" % (len(messages), RUNS, messages[0]) if messages else "no run failed"
    matrix.row("archive swapped while the module runs (pinned checksum, directory others can write)", seen,
               "%d runs installed exactly the good binaries, %d installed nothing; the evil binary never (%d swaps)"
               % (RUNS - len(messages), len(messages), swapper.swaps))


def test_an_archive_path_that_is_a_symbolic_link_is_refused(install, archives, versions, root):
    good, _evil, shared = archives
    link = shared / good.name
    link.symlink_to(good)
    result = install(name="containerd", version=versions["1.7"], dest=str(root / "bin"), archive=str(link),
                     checksum="sha256:" + _sha256(good.read_bytes()))
    assert_clean_failure(result, "archive %s does not exist on the host (or is a symbolic link)" % link)
    assert not (root / "bin" / "containerd").exists() and staging_leftovers(root / "bin") == []
