# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Atomic file writes: the one way the collection writes a file that others read.

A temporary file in the destination's directory is created with the final mode (so a 0600 file is never
readable by others, not even for a moment), written, fsync'ed and renamed over the destination; readers
see the old file or the new one, never a part. On any failure the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import stat

TEMP_PREFIX = ".tmp-"


def _create_temp(directory, prefix, mode):
    """Create an empty temporary file in ``directory`` with ``mode`` from the first byte; return (fd, path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _attempt in range(100):
        path = os.path.join(directory, "%s%s" % (prefix, os.urandom(6).hex()))
        try:
            handle = os.open(path, flags, mode)
        except FileExistsError:
            continue
        os.fchmod(handle, mode)  # the umask may only have taken bits away; set exactly what was asked
        return handle, path
    raise FileExistsError("cannot create a temporary file in %s" % directory)


def _sync_directory(directory):
    """fsync the directory so that the rename survives a crash (best effort: not every file system can)."""
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


@contextlib.contextmanager
def atomic_file(path, mode=0o644, prefix=None, dir_mode=None, keep_attrs=False):
    """A binary stream whose content replaces ``path`` atomically when the block ends without an error.

    ``mode``: the file's mode, set on the temporary file when it is created. ``prefix``: of the temporary
    file's name (default ``.tmp-``). ``dir_mode``: create the missing directory with this mode (else a missing
    directory is an error). ``keep_attrs``: when ``path`` exists, the new file gets its mode and owner instead
    (what rewriting a file in place would keep).
    """
    directory = os.path.dirname(path) or "."
    if dir_mode is not None and not os.path.isdir(directory):
        os.makedirs(directory, dir_mode)
    owner = None
    if keep_attrs:
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None:
            mode = stat.S_IMODE(current.st_mode)
            owner = (current.st_uid, current.st_gid)
    handle, tmp = _create_temp(directory, TEMP_PREFIX if prefix is None else prefix, mode)
    try:
        if owner is not None and owner != (os.geteuid(), os.getegid()):
            os.fchown(handle, owner[0], owner[1])
        with os.fdopen(handle, "wb") as stream:
            handle = None
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.rename(tmp, path)
        tmp = None
        _sync_directory(directory)
    finally:
        if handle is not None:
            os.close(handle)
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)


def write_atomically(path, data, mode=0o644, prefix=None, dir_mode=None, keep_attrs=False):
    """Replace ``path`` with ``data`` (bytes, or text written as UTF-8) atomically; see ``atomic_file``."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_file(path, mode=mode, prefix=prefix, dir_mode=dir_mode, keep_attrs=keep_attrs) as stream:
        stream.write(data)
