# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A release mirror on loopback: upstream's file names, archive layouts and checksum files, real binaries.

The archives are built from the Debian builds that ``tests/setup/fetch-containerd.sh`` cached (nothing is
downloaded from upstream) and laid out under the paths GitHub serves releases from, so that
``mirror: http://127.0.0.1:<port>`` replaces ``https://github.com`` and nothing else. Which upstream
release file each one mimics:

``containerd/containerd/releases/download/v<v>/containerd-<v>-linux-<arch>.tar.gz``
    containerd's release tarball (``tar Cxzf /usr/local``): ``bin/containerd``, ``bin/ctr``,
    ``bin/containerd-shim-runc-v2`` (1.6/1.7 also ``bin/containerd-shim``, ``bin/containerd-shim-runc-v1``;
    upstream also ships ``bin/containerd-stress``, which Debian does not build). Beside it
    ``containerd-<v>-linux-<arch>.tar.gz.sha256sum``: one ``<sha256>  <file name>`` line (sha256sum format).
``containerd/containerd/releases/download/v<v>/cri-containerd-<v>-linux-<arch>.tar.gz`` (1.6 and 1.7; upstream
    removed the bundle in 2.0, releases/cri-containerd.DEPRECATED.txt)
    the cri-containerd bundle, a tree laid out from ``/``: ``usr/local/bin/{containerd,ctr,containerd-shim*}``,
    ``usr/local/sbin/runc``, ``opt/cni/bin/*``, ``etc/systemd/system/containerd.service``, ``etc/crictl.yaml``,
    ``etc/cni/net.d/10-containerd-net.conflist`` and a top-level ``cri-containerd.DEPRECATED.txt`` (the
    archive's configuration files are placeholders here: installs take them from their own templates);
    ``.sha256sum`` beside it. Upstream's bundle also holds ``usr/local/bin/crictl`` and ``critest``: there is
    no Debian build of cri-tools in the cache, so this one has none.
``opencontainers/runc/releases/download/v<v>/runc.<arch>``
    runc's static binary, and ``runc.sha256sum`` listing every release file (``<sha256>  runc.<arch>``).
``containernetworking/plugins/releases/download/v<v>/cni-plugins-linux-<arch>-v<v>.tgz``
    the CNI plugins tarball: ``./bridge``, ``./loopback``, ... at its top level with ``./`` names, as
    upstream's since v1.0; beside it ``.sha256`` and ``.sha512`` (``<hex>  <file name>``).
``containerd/containerd/releases/download/v0.0.1/containerd-0.0.1-linux-<arch>.tar.gz``
    a deliberately broken release: right name and checksum file, but only ``bin/ctr`` inside.

Faults are set per URL path (``mirror.faults[path] = "truncate" | "tamper" | "500" | "hang"``): ``truncate``
announces the full Content-Length and closes after half the body, ``tamper`` flips a byte (so the checksum file
no longer matches), ``500`` answers a server error, ``hang`` reads the request and never answers (until the
mirror stops). Redirects are set per URL path too (``mirror.redirects[path] = location``: a 302 to
``location`` when the request came to the primary origin ``mirror.url``; ``mirror.other_origin`` is the same
server reached as ``localhost``, another origin to a client, so the same path there is served). Every request
is recorded in ``mirror.log`` (in process, with its headers) and appended to ``<state>/access.log`` (without
headers: they may hold a test's secret).
"""
import fcntl
import gzip
import hashlib
import io
import re
import shutil
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import binaries
from .images import ARCH

GITHUB_PATHS = {
    "containerd": "containerd/containerd/releases/download/v{v}",
    "runc": "opencontainers/runc/releases/download/v{v}",
    "cni_plugins": "containernetworking/plugins/releases/download/v{v}",
}
BROKEN_VERSION = "0.0.1"
FORMAT = "4"  # bump to rebuild cached mirrors after a layout change


def upstream_version(packages_file, package):
    """``containerd trixie 1.7.24~ds1-6+deb13u1`` -> ``1.7.24`` (Debian's repack and revision removed)."""
    for line in Path(packages_file).read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == package:
            return re.split(r"[~+-]", fields[2].split(":", 1)[-1], maxsplit=1)[0]
    raise binaries.MissingBinaries(f"{package} is not listed in {packages_file}")


def versions():
    """Upstream versions of the cached builds: {"1.6": "1.6.20", ..., "runc": "1.1.5", "cni_plugins": ...}."""
    found = {}
    for key, directory in binaries.VERSIONS.items():
        found[key] = upstream_version(binaries.CACHE / directory / ".packages", "containerd")
    found["runc"] = upstream_version(binaries.TOOLS / ".packages", "runc")
    found["cni_plugins"] = upstream_version(binaries.TOOLS / ".packages", "containernetworking-plugins")
    return found


def _tar_gz(path, entries, dot_slash=False):
    """Write a gzip tarball of ``entries`` ({member name: source path or bytes}), directories included."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        dirs = set()
        for name in entries:
            parts = name.split("/")[:-1]
            for index in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:index]))
        if dot_slash:
            dirs.add(".")
        for directory in sorted(dirs):
            info = tarfile.TarInfo(directory + "/" if directory != "." else "./")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for name, source in sorted(entries.items()):
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
            info = tarfile.TarInfo(("./" + name) if dot_slash else name)
            info.size, info.mtime = len(data), 0
            info.mode = 0o644 if name.startswith("etc/") or isinstance(source, bytes) else 0o755
            tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=1) as gz:
        gz.write(raw.getvalue())


def _sums(path, algorithm, suffix):
    digest = hashlib.new(algorithm, Path(path).read_bytes()).hexdigest()
    Path(str(path) + suffix).write_text(f"{digest}  {Path(path).name}\n")
    return digest


def build(root):
    """Lay the mirror's files out under ``root`` (once: reused while its stamp matches the cache)."""
    root = Path(root)
    found = versions()
    stamp = root / ".complete"
    signature = f"{FORMAT} {sorted(found.items())} {ARCH}"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(str(root) + ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == signature:
            return found
        tmp = Path(str(root) + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        for key in binaries.VERSIONS:
            version = found[key]
            bin_dir = binaries.containerd_bin_dir(key)
            out = tmp / GITHUB_PATHS["containerd"].format(v=version)
            out.mkdir(parents=True, exist_ok=True)
            archive = out / f"containerd-{version}-linux-{ARCH}.tar.gz"
            _tar_gz(archive, {f"bin/{path.name}": path for path in sorted(bin_dir.iterdir()) if path.is_file()})
            _sums(archive, "sha256", ".sha256sum")
            if key in ("1.6", "1.7"):
                entries = {f"usr/local/bin/{path.name}": path for path in sorted(bin_dir.iterdir()) if path.is_file()}
                entries["usr/local/sbin/runc"] = binaries.tool("runc")
                for plugin in sorted(binaries.cni_bin_dir().iterdir()):
                    entries[f"opt/cni/bin/{plugin.name}"] = plugin
                entries["etc/systemd/system/containerd.service"] = (
                    b"[Unit]\nDescription=containerd container runtime\n\n[Service]\n"
                    b"ExecStart=/usr/local/bin/containerd\n")
                entries["etc/crictl.yaml"] = b"runtime-endpoint: unix:///run/containerd/containerd.sock\n"
                entries["etc/cni/net.d/10-containerd-net.conflist"] = b'{"cniVersion": "1.0.0", "plugins": []}\n'
                entries["cri-containerd.DEPRECATED.txt"] = b"placeholder: the bundle is deprecated upstream\n"
                bundle = out / f"cri-containerd-{version}-linux-{ARCH}.tar.gz"
                _tar_gz(bundle, entries)
                _sums(bundle, "sha256", ".sha256sum")
        broken = tmp / GITHUB_PATHS["containerd"].format(v=BROKEN_VERSION)
        broken.mkdir(parents=True)
        archive = broken / f"containerd-{BROKEN_VERSION}-linux-{ARCH}.tar.gz"
        _tar_gz(archive, {"bin/ctr": binaries.containerd_bin_dir("1.7") / "ctr"})
        _sums(archive, "sha256", ".sha256sum")

        runc_dir = tmp / GITHUB_PATHS["runc"].format(v=found["runc"])
        runc_dir.mkdir(parents=True)
        runc = runc_dir / f"runc.{ARCH}"
        shutil.copyfile(binaries.tool("runc"), runc)
        runc.chmod(0o755)
        digest = hashlib.sha256(runc.read_bytes()).hexdigest()
        (runc_dir / "runc.sha256sum").write_text(f"{digest}  runc.{ARCH}\n")

        cni_version = found["cni_plugins"]
        cni_dir = tmp / GITHUB_PATHS["cni_plugins"].format(v=cni_version)
        cni_dir.mkdir(parents=True)
        cni = cni_dir / f"cni-plugins-linux-{ARCH}-v{cni_version}.tgz"
        _tar_gz(cni, {plugin.name: plugin for plugin in sorted(binaries.cni_bin_dir().iterdir())}, dot_slash=True)
        _sums(cni, "sha256", ".sha256")
        _sums(cni, "sha512", ".sha512")

        (tmp / ".complete").write_text(signature)
        shutil.rmtree(root, ignore_errors=True)
        tmp.rename(root)
    return found


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.mirror.serve(self)

    def do_HEAD(self):  # noqa: N802
        self.server.mirror.serve(self, head=True)

    def log_message(self, format, *args):  # noqa: A002 - quiet; the mirror keeps its own log
        pass


class ReleaseMirror:
    """Serves ``root`` over HTTP on 127.0.0.1 (a free port) from a thread of the test process."""

    def __init__(self, root, state_dir):
        self.root = Path(root)
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.access_log = self.state_dir / "access.log"
        self.log = []
        self.faults = {}
        self.redirects = {}
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.server = None
        self.thread = None
        self.url = None

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.mirror = self
        self.thread = threading.Thread(target=self.server.serve_forever, name="release-mirror", daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.other_origin = "http://localhost:%d" % self.server.server_address[1]
        return self

    def stop(self):
        self.released.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _record(self, method, path, status, size, handler=None):
        headers = dict(handler.headers.items()) if handler is not None else {}
        with self._lock:
            self.log.append({"method": method, "path": path, "status": status, "bytes": size, "headers": headers})
            with open(self.access_log, "a") as out:
                out.write(f"{method} {path} {status} {size}\n")

    def mark(self):
        """Position in the log, to count the requests made after it."""
        with self._lock:
            return len(self.log)

    def gets(self, name, since=0):
        """Number of GET requests for a path ending in ``name`` since ``mark()``."""
        with self._lock:
            return sum(1 for entry in self.log[since:] if entry["method"] == "GET" and entry["path"].endswith(name))

    def requests(self, since=0):
        """The log entries (method, path, status, bytes, headers) since ``mark()``."""
        with self._lock:
            return list(self.log[since:])

    def path(self, component, version, name):
        return "/" + GITHUB_PATHS[component].format(v=version) + "/" + name

    def serve(self, handler, head=False):
        path = handler.path.split("?", 1)[0]
        target = (self.root / path.lstrip("/")).resolve()
        fault = self.faults.get(path)
        method = "HEAD" if head else "GET"
        location = self.redirects.get(path)
        if location and handler.headers.get("Host", "").startswith("127.0.0.1"):  # the primary origin only
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            self._record(method, path, 302, 0, handler)
            return None
        if fault == "500":
            return self._reply(handler, method, path, 500, b"server error\n")
        if fault == "hang":  # accepts the request and never answers (until the mirror stops)
            self.released.wait(120)
            handler.close_connection = True
            return None
        if not str(target).startswith(str(self.root.resolve()) + "/") or not target.is_file():
            return self._reply(handler, method, path, 404, b"Not Found\n")
        data = target.read_bytes()
        if fault == "tamper":
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        if fault == "truncate":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            if not head:
                handler.wfile.write(data[: len(data) // 2])
                handler.wfile.flush()
            handler.close_connection = True
            self._record(method, path, 200, len(data) // 2, handler)
            return None
        return self._reply(handler, method, path, 200, data, "application/octet-stream")

    def _reply(self, handler, method, path, status, data, content_type="text/plain"):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if method == "GET":
            handler.wfile.write(data)
        self._record(method, path, status, len(data), handler)
        return None
