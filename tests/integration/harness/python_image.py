# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A container image WITH Python, for the tests of containers as Ansible hosts (connection, inventory, molecule).

Debian bookworm minbase with python3 and sudo (``python-rootfs.sh``, debootstrapped from the mirror of the
machine's apt sources), packed as a one-layer OCI archive. Built once and cached under
``<test cache>/images``, keyed on the recipe (the script's content, the mirror, the architecture); several
workers building at once wait on one lock.

The image's command waits for SIGTERM (and exits 0 on it), so a graceful stop is quick.
"""
import fcntl
import gzip
import hashlib
import json
import platform
import re
import subprocess
import tarfile
from pathlib import Path

from .binaries import CACHE
from .images import ARCH, MEDIA_CONFIG, MEDIA_LAYER, MEDIA_MANIFEST, PATH_ENV, _add
from .images import blob_digest as _digest

REF = "localhost/containerd-runtime/debian-python:bookworm"
SCRIPT = Path(__file__).resolve().parent / "python-rootfs.sh"
IMAGES = CACHE / "images"
COMMAND = ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
SOURCES = [Path("/etc/apt/sources.list")] + sorted(Path("/etc/apt/sources.list.d").glob("*"))


def mirror():
    """The first Debian mirror of the machine's apt sources (deb822 ``URIs:`` or one-line ``deb``)."""
    for source in SOURCES:
        try:
            text = source.read_text()
        except OSError:
            continue
        for pattern in (r"^URIs:\s*(\S+/debian)/?\s*$", r"^deb\s+(?:\[[^]]*\]\s+)?(\S+/debian)/?\s"):
            match = re.search(pattern, text, re.MULTILINE)
            if match:
                return match.group(1)
    raise RuntimeError("no Debian mirror in the apt sources: the Python test image cannot be built")


def _recipe(url):
    return hashlib.sha256(SCRIPT.read_bytes() + ("%s %s" % (url, platform.machine())).encode()).hexdigest()[:16]


def archive():
    """Path of the OCI archive of the Python image (built on first use); its reference is ``REF``."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    url = mirror()
    recipe = _recipe(url)
    path = IMAGES / ("debian-python-%s.tar" % recipe)
    with open(IMAGES / ".debian-python.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            rootfs = IMAGES / ("debian-python-%s.rootfs.tar" % recipe)
            if not rootfs.exists():
                subprocess.run(["bash", str(SCRIPT), url, str(rootfs), str(IMAGES / "debootstrap-debs")], check=True)
            _pack(rootfs, path)
            rootfs.unlink()
            for old in IMAGES.glob("debian-python-*.tar"):
                if old != path:
                    old.unlink()
    return path


def _pack(rootfs, path):
    diff = rootfs.read_bytes()
    layer = gzip.compress(diff, compresslevel=1, mtime=0)
    config = json.dumps({
        "architecture": ARCH, "os": "linux",
        "config": {"Cmd": COMMAND, "Env": [PATH_ENV], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [_digest(diff)]},
        "history": [{"created_by": "containerd.runtime test image: debian bookworm minbase + python3"}],
    }, sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": _digest(config), "size": len(config)},
        "layers": [{"mediaType": MEDIA_LAYER, "digest": _digest(layer), "size": len(layer)}],
    }, sort_keys=True).encode()
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{
        "mediaType": MEDIA_MANIFEST, "digest": _digest(manifest), "size": len(manifest),
        "platform": {"architecture": ARCH, "os": "linux"},
        "annotations": {"io.containerd.image.name": REF, "org.opencontainers.image.ref.name": "bookworm"}}]},
        sort_keys=True).encode()
    tmp = path.with_suffix(".tmp")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        _add(tar, "index.json", index)
        for directory in ("blobs", "blobs/sha256"):
            _add(tar, directory, directory=True)
        for blob in (config, manifest, layer):
            _add(tar, "blobs/sha256/" + _digest(blob).split(":", 1)[1], blob)
    tmp.rename(path)
