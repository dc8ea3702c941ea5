# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host side of ``containerd_install``: download with ansible's URL helpers, extract into a staging directory
beside each destination, then rename file by file (previous files kept as hard links until all succeed).

Only the standard library and ``ansible.module_utils.urls``: hosts need no extra Python packages.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import signal
import shutil
import stat
import tarfile
import tempfile
import time
import zlib

from ansible.module_utils.urls import fetch_url

from ansible_collections.containerd.runtime.plugins.module_utils._install import release
from ansible_collections.containerd.runtime.plugins.module_utils._install.release import COMPONENTS, select_members
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ReleaseError
from ansible_collections.containerd.runtime.plugins.module_utils._common.files import write_atomically

STAGE_PREFIX = ".containerd-install-"
LOCK_NAME = ".containerd-install.lock"
# test-only fault injection: the module kills itself after this many renames of a commit (the fault matrix's
# "install killed between two renames"); never set outside the tests
KILL_AFTER_RENAMES = "_CONTAINERD_RUNTIME_TEST_KILL_AFTER_RENAMES"


class ModuleHost(object):
    """The managed host as an install sees it, through the module: run a binary, fetch a URL with ansible's
    URL helpers (which read the module's ``validate_certs``), warn (at once, so that a warning given before a
    failure is still shown). Unit tests stand in a stub with the same three methods."""

    def __init__(self, module):
        self.module = module

    def run(self, argv, env=None):
        """(rc, stdout, stderr) of ``argv`` (no shell)."""
        return self.module.run_command(argv, environ_update=env)

    def fetch(self, url, timeout, headers=None):
        """``fetch_url``'s (response, info) with redirects followed here: ``headers`` (credentials, O(url_headers))
        go to ``url``'s origin only, never to a redirect's target on another scheme, host or port."""
        view = _FetchView(self.module)
        headers = dict(headers or {})
        for _hop in range(release.MAX_REDIRECTS + 1):
            response, info = fetch_url(view, url, timeout=timeout, headers=headers or None)
            location = info.get("location")
            if info.get("status") not in release.REDIRECT_CODES or not location:
                return response, info
            url, headers = release.redirected(url, location, headers)
        return None, dict(status=-1, msg="more than %d redirects" % release.MAX_REDIRECTS)

    def warn(self, message):
        self.module.warn(message)


class _FetchView(object):
    """The module as ``fetch_url`` reads it, with redirects not followed (``ModuleHost.fetch`` follows them) and
    none of fetch_url's own authentication (the module's url_username/url_password would be sent by urllib)."""

    def __init__(self, module):
        self._module = module
        self.params = dict(module.params, follow_redirects="none", url_username=None, url_password=None,
                           force_basic_auth=False)

    def __getattr__(self, name):
        return getattr(self._module, name)


def _is_local(url):
    return url.startswith("/") or url.startswith("file://")


def _local_path(url):
    return url[len("file://"):] if url.startswith("file://") else url


def fetch(host, url, target, timeout, retries, headers=None):
    """Download ``url`` (http(s), file:// or a path on the host) to ``target``; ReleaseError on failure.
    ``url`` carries no credentials (they are in ``headers``), so that every message may name it."""
    if _is_local(url):
        try:
            shutil.copyfile(_local_path(url), target)
        except (IOError, OSError) as error:
            raise ReleaseError("cannot read %s on the host: %s" % (url, error))
        return
    last = None
    for attempt in range(max(retries, 0) + 1):
        if attempt:
            time.sleep(min(2 ** attempt, 10))
        response, info = host.fetch(url, timeout, headers) if headers else host.fetch(url, timeout)
        status = info.get("status", -1)
        if status == 404:
            raise ReleaseError("%s does not exist (HTTP 404): is the version right?" % url)
        if response is None or status >= 400 or status < 0:
            last = "HTTP %s: %s" % (status, info.get("msg", "no answer")) if status > 0 else info.get("msg")
            if 400 <= status < 500 and status not in (408, 429):
                break
            continue
        expected = info.get("content-length")
        try:
            size = 0
            with open(target, "wb") as out:
                for block in iter(lambda: response.read(1024 * 1024), b""):
                    _write(out, block, target)
                    size += len(block)
        except ReleaseError:
            raise
        except Exception as error:  # pylint: disable=broad-exception-caught
            last = "transfer interrupted: %s" % error
            continue
        if expected is not None and str(expected).isdigit() and int(expected) != size:
            last = "transfer interrupted after %d of %s bytes" % (size, expected)
            continue
        return
    raise ReleaseError("downloading %s failed after %d attempt(s): %s" % (url, max(retries, 0) + 1, last))


def _write(out, block, target):
    """Write a downloaded block; a full or failing disk is not retried (another attempt cannot fit either)."""
    try:
        out.write(block)
        out.flush()
    except (IOError, OSError) as error:
        raise ReleaseError("writing the download to %s failed: %s; nothing was installed"
                           % (os.path.dirname(target), error.strerror or error))


def fetch_text(host, url, timeout, retries, directory, headers=None):
    handle, tmp = tempfile.mkstemp(prefix=STAGE_PREFIX, dir=directory)
    os.close(handle)
    try:
        fetch(host, url, tmp, timeout, retries, headers)
        with open(tmp, "rb") as text:
            return text.read(1024 * 1024).decode("utf-8", "replace")
    finally:
        os.unlink(tmp)


def _extract(key, archive, stages):
    """Write the archive's files into the staging directories; return {(role, name): staged path}."""
    spec = COMPONENTS[key]
    staged = {}
    if spec["layout"] == "raw":
        role = spec["binary"][0]
        path = os.path.join(stages[role], spec["install_as"])
        shutil.copyfile(archive, path)
        os.chmod(path, 0o755)
        return {(role, spec["install_as"]): path}
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = [member for member in tar.getmembers() if member.isreg()]
            chosen, missing = select_members(key, [member.name for member in members])
            if missing:
                raise ReleaseError("the archive does not hold the expected files: %s missing" % ", ".join(missing))
            for member in members:
                if member.name not in chosen:
                    continue
                role, name = chosen[member.name]
                path = os.path.join(stages[role], name)
                source = tar.extractfile(member)
                with open(path, "wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
                os.chmod(path, 0o755)
                staged[(role, name)] = path
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise ReleaseError("the archive is damaged or truncated (%s)" % error)
    return staged


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class DirLock(object):
    """Exclusive flocks on the existing directories of ``dirs`` (on the directories themselves: no lock file
    is left behind), so that one install at a time works in them; everything named ``.containerd-install-*``
    found there while they are held is a leftover of an install that died."""

    def __init__(self, dirs):
        self.dirs = sorted(set(dirs.values()))
        self.handles = []

    def __enter__(self):
        for directory in self.dirs:
            try:
                handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                continue
            self.handles.append(handle)
            fcntl.flock(handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        for handle in reversed(self.handles):
            os.close(handle)
        self.handles = []


def marker_path(manifest_path):
    """The in-progress marker of an install: written before its first rename, removed after the manifest."""
    return manifest_path + ".installing"


def sweep(dirs):
    """Remove the staging leftovers (``.containerd-install-*``) of installs that died; the names removed."""
    removed = []
    for directory in sorted(set(dirs.values())):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in sorted(names):
            if not name.startswith(STAGE_PREFIX):
                continue
            path = os.path.join(directory, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
            removed.append(path)
    return removed


def _read_marker(path, dirs):
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError) as error:
        if error.errno == errno.ENOENT:
            return None
        raise ReleaseError("cannot read the in-progress marker %s: %s" % (path, error))
    except ValueError as error:
        raise ReleaseError("the in-progress marker %s is not valid JSON (%s); check the installed files and "
                           "remove it" % (path, error))
    moves = data.get("moves") if isinstance(data, dict) else None
    if not isinstance(moves, list) or not all(
            isinstance(move, list) and len(move) == 2 and isinstance(move[0], str) and release.owned_path(move[0], dirs)
            and (move[1] is None or (isinstance(move[1], str) and _in_stage(move[1], dirs))) for move in moves):
        raise ReleaseError("the in-progress marker %s is malformed or names files outside the install "
                           "directories; check the installed files and remove it" % path)
    return data


def _in_stage(path, dirs):
    stage = os.path.dirname(os.path.normpath(path))
    return (os.path.basename(stage).startswith(STAGE_PREFIX)
            and any(os.path.dirname(stage) == os.path.normpath(own) for own in dirs.values()))


def recover(manifest_path, dirs):
    """Finish or roll back an install that was killed during its renames; a sentence saying which, or None.

    The marker lists each renamed file with the hard link to its previous version in the staging directory.
    When the manifest on disk is the new one, the install had finished (only the marker was left); otherwise
    the previous files are put back and the files that were new are removed. Call with the dirs locked."""
    marker = marker_path(manifest_path)
    data = _read_marker(marker, dirs)
    if data is None:
        return None
    try:
        current = release.read_manifest(manifest_path)
    except ReleaseError:
        current = None
    if current is not None and current == data.get("manifest"):
        os.unlink(marker)
        return "finished an install that was interrupted before it removed its in-progress marker %s" % marker
    for final, backup in reversed(data["moves"]):
        if backup and os.path.lexists(backup):
            os.rename(backup, final)
        elif not backup and os.path.lexists(final):
            os.unlink(final)
    os.unlink(marker)
    return ("rolled back an install that was interrupted during its renames (in-progress marker %s): "
            "the previous files are back in place" % marker)


class Stage(object):
    """Staging directories beside each destination directory; removed by ``cleanup``."""

    def __init__(self, dirs):
        self.dirs = dirs
        self.stages = {}
        self.created = []

    def prepare(self):
        for role, directory in sorted(self.dirs.items()):
            try:
                if not os.path.isdir(directory):
                    os.makedirs(directory, 0o755)
                    self.created.append(directory)
                self.stages[role] = tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=directory)
            except (IOError, OSError) as error:
                raise ReleaseError("destination %s is not writable: %s" % (directory, error.strerror or error))
        return self.stages

    def main(self, key):
        return self.stages[COMPONENTS[key]["binary"][0]]

    def extract(self, key, archive):
        try:
            return _extract(key, archive, self.stages)
        except (IOError, OSError) as error:
            raise ReleaseError("cannot extract the archive into %s: %s; nothing was installed"
                               % (self.main(key), error.strerror or error))

    def commit(self, staged, old_files, manifest_path, manifest):
        """Rename staged files into place, write ``manifest``, remove ``old_files`` not replaced.

        Every file's previous version is first kept as a hard link in the staging directory and listed, with
        the renames to come, in the in-progress marker; a failure rolls back at once, a kill is rolled back
        by the next run (``recover``)."""
        moves = []  # [final path, backup path or None, staged path]
        marker = marker_path(manifest_path)
        placed = []
        try:
            for (role, name), path in sorted(staged.items()):
                final = os.path.join(self.dirs[role], name)
                backup = None
                if os.path.lexists(final):
                    backup = os.path.join(self.stages[role], ".old-" + name)
                    os.link(final, backup)
                moves.append([final, backup, path])
            write_atomically(marker, json.dumps({"manifest": manifest, "moves": [move[:2] for move in moves]}) + "\n",
                             mode=0o644, prefix=STAGE_PREFIX + "marker-")
            kill_after = int(os.environ.get(KILL_AFTER_RENAMES) or 0)
            for final, backup, path in moves:
                os.rename(path, final)
                placed.append((final, backup))
                if kill_after and len(placed) == kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)
            release.write_manifest(manifest_path, manifest)
        except (IOError, OSError) as error:
            for final, backup in reversed(placed):
                try:
                    if backup:
                        os.rename(backup, final)
                    else:
                        os.unlink(final)
                except OSError:
                    pass
            if os.path.lexists(marker):
                os.unlink(marker)
            raise ReleaseError("installing into %s failed, previous files restored: %s"
                               % (", ".join(sorted(set(self.dirs.values()))), error.strerror or error))
        os.unlink(marker)
        finals = set(final for final, _backup in placed)
        removed = []
        for path in old_files:
            if path not in finals and os.path.lexists(path) and release.owned_path(path, self.dirs):
                os.unlink(path)
                removed.append(path)
        return sorted(finals), removed

    def cleanup(self):
        for stage in self.stages.values():
            shutil.rmtree(stage, ignore_errors=True)


def is_executable(path):
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and bool(mode & 0o111)


def reported(host, path):
    """(ran, version) of ``path --version``."""
    if not is_executable(path):
        return False, None
    rc, out, err = host.run([path, "--version"], env={"LC_ALL": "C"})
    if rc != 0:
        return False, None
    return True, release.reported_version(out or err)


def _copy_in(source, target):
    """Copy the file at ``source`` into the private staging directory through one open file, so that what is
    hashed and extracted later is what was read here, whatever happens to ``source`` meanwhile."""
    try:
        handle = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ELOOP):
            raise ReleaseError("archive %s does not exist on the host (or is a symbolic link)" % source)
        raise ReleaseError("cannot read archive %s on the host: %s" % (source, error.strerror or error))
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise ReleaseError("archive %s is not a regular file" % source)
        try:
            with open(target, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
        except (IOError, OSError) as error:
            raise ReleaseError("copying archive %s into %s failed: %s; nothing was installed"
                               % (source, os.path.dirname(target), error.strerror or error))


def obtain(host, params, key, url, stage, headers=None):
    """The verified release file on the host, in the staging directory: dict(path, sha256, downloaded).

    The file is written under a hidden name (``.download-``/``.archive-``), never the name of a file that
    the archive installs (a raw binary served as ``.../runc`` is its own install name)."""
    pinned = release.parse_pinned(params["checksum"])
    directory = stage.main(key)
    downloaded = False
    if params["archive"]:
        source = params["archive"]
        path = os.path.join(directory, ".archive-" + release.file_name(source))
        _copy_in(source, path)
    else:
        release.refuse_unverified(url, params["validate_certs"], pinned, params.get("allow_unverified"))
        path = os.path.join(directory, ".download-" + release.file_name(url))
        fetch(host, url, path, params["timeout"], params["retries"], headers)
        downloaded = True
        source = url
    if pinned is None:
        name = release.file_name(source)
        sums_url = release.checksum_url(key, source)
        text = fetch_text(host, sums_url, params["timeout"], params["retries"], directory,
                          None if params["archive"] else headers)
        pinned = release.parse_checksum_file(text, name)
        host.warn("the checksum of %s comes from %s, the same origin as the file; pin it with checksum: "
                  "%s:%s" % (name, sums_url, pinned[0], pinned[1]))
    digest = release.file_digest(path, pinned[0])
    if digest != pinned[1]:
        raise ReleaseError("checksum mismatch for %s: expected %s:%s, got %s:%s; nothing was installed"
                           % (source, pinned[0], pinned[1], pinned[0], digest))
    sha256 = digest if pinned[0] == "sha256" else release.file_digest(path)
    return dict(path=path, sha256=sha256, downloaded=downloaded)


def check_staged(host, key, version, staged):
    """The staged main binary must run and report the requested version before anything is replaced."""
    role, binary = release.COMPONENTS[key]["binary"]
    path = staged[(role, binary)]
    ran, running = reported(host, path)
    if not ran:
        raise ReleaseError("the %s in the release file does not run on this host (wrong arch?); "
                           "nothing was installed" % binary)
    if not release.same_version(running, version):
        raise ReleaseError("the %s in the release file reports version %s, not %s; nothing was installed"
                           % (binary, running, version))


def install(host, params, key, version, arch, dirs, manifest_path, current, url, headers=None):
    """Obtain, verify, stage, check and commit the release; write the manifest.

    Returns dict(hashes ({path: sha256} of the installed files), removed, checksum, downloaded).
    """
    stage = Stage(dirs)
    try:
        stage.prepare()
        obtained = obtain(host, params, key, url, stage, headers)
        staged = stage.extract(key, obtained["path"])
        check_staged(host, key, version, staged)
        old_files = [entry["path"] for entry in (current["manifest"] or {}).get("files", [])]
        hashes = dict((os.path.join(dirs[role], name), sha256(path))
                      for (role, name), path in staged.items())
        manifest = release.make_manifest(key, version, arch, url, obtained["sha256"], hashes)
        _finals, removed = stage.commit(staged, old_files, manifest_path, manifest)
    except (IOError, OSError) as error:
        raise ReleaseError("installing %s failed: %s" % (key, error.strerror or error))
    finally:
        stage.cleanup()
    return dict(hashes=hashes, removed=removed, checksum="sha256:" + obtained["sha256"],
                downloaded=obtained["downloaded"])
