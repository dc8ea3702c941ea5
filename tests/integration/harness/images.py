"""Build small OCI images around Debian's busybox-static, deterministically, and cache them.

An image is an OCI image-layout archive (what ``ctr images import`` and registries accept): one gzip
layer holding ``/bin/busybox`` with its applets as symlinks, plus ``/etc/image-marker`` whose content
makes two builds with different markers two different digests (so a tag can move).
"""
import gzip
import hashlib
import io
import json
import platform
import subprocess
import tarfile
from pathlib import Path

from . import binaries

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le", "s390x": "s390x"}[
    platform.machine()]
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _add(tar, name, data=None, mode=0o644, symlink=None, directory=False):
    info = tarfile.TarInfo(name)
    info.mtime = 0
    info.uid = info.gid = 0
    if directory:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
    elif symlink:
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, symlink, 0o777
        tar.addfile(info)
    else:
        info.size, info.mode = len(data), mode
        tar.addfile(info, io.BytesIO(data))


def _layer(marker, busybox=None):
    busybox = Path(busybox) if busybox else binaries.tool("busybox")
    applets = subprocess.run([str(busybox), "--list"], capture_output=True, text=True, check=True).stdout.split()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory in ("bin", "etc", "tmp", "var", "var/www", "root"):
            _add(tar, directory, directory=True)
        _add(tar, "bin/busybox", busybox.read_bytes(), mode=0o755)
        for applet in sorted(set(applets) - {"busybox"}):
            _add(tar, f"bin/{applet}", symlink="busybox")
        _add(tar, "etc/image-marker", f"{marker}\n".encode())
        _add(tar, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        _add(tar, "etc/group", b"root:x:0:\nnogroup:x:65534:\n")
        _add(tar, "var/www/index.html", f"hello from {marker}\n".encode())
    diff = raw.getvalue()
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0) as gz:
        gz.write(diff)
    return diff, compressed.getvalue()


def build_layout(marker="v1", cmd=("sh",), env=(PATH_ENV,), ref_names=(), busybox=None):
    """Return {path: bytes} of an OCI image layout and the manifest digest.

    ``busybox``: path of a static busybox binary; default the cached one of the test binaries."""
    diff, layer = _layer(marker, busybox)
    config = json.dumps({
        "architecture": ARCH, "os": "linux",
        "config": {"Cmd": list(cmd), "Env": list(env), "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [_digest(diff)]},
        "history": [{"created_by": f"containerd.runtime test image {marker}"}],
    }, sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": _digest(config), "size": len(config)},
        "layers": [{"mediaType": MEDIA_LAYER, "digest": _digest(layer), "size": len(layer)}],
    }, sort_keys=True).encode()
    descriptors = []
    for ref in ref_names or (None,):
        descriptor = {"mediaType": MEDIA_MANIFEST, "digest": _digest(manifest), "size": len(manifest),
                      "platform": {"architecture": ARCH, "os": "linux"}}
        if ref:
            descriptor["annotations"] = {
                "io.containerd.image.name": ref,
                "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[-1],
            }
        descriptors.append(descriptor)
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": descriptors}, sort_keys=True).encode()
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": index}
    for blob in (config, manifest, layer):
        files["blobs/sha256/" + _digest(blob).split(":", 1)[1]] = blob
    return files, _digest(manifest)


def build_archive(path, marker="v1", ref="docker.io/library/busybox:test", **kwargs):
    """Write an OCI archive for ``ref`` to ``path`` (reused when it exists); return the manifest digest."""
    path = Path(path)
    files, digest = build_layout(marker, ref_names=(ref,), **kwargs)
    stamp = path.with_suffix(".digest")
    key = "%s %s" % (digest, ref)  # the ref is in the index, not in the manifest digest
    if path.exists() and stamp.exists() and stamp.read_text() == key:
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for directory in ("blobs", "blobs/sha256"):
            _add(tar, directory, directory=True)
        for name in sorted(files):
            _add(tar, name, files[name])
    tmp.rename(path)
    stamp.write_text(key)
    return digest


def import_image(daemon, namespace, archive, ref):
    """Import an archive into ``namespace`` with plain ctr (test set-up, not the code under test)."""
    args = ["images", "import"]
    if daemon.version.startswith("2"):
        args.append("--local")
    daemon.ctr(*args, archive, namespace=namespace)
    return ref


def marker_seen_by(pid):
    """The image marker (``v1``, ``v2``) a running task sees, read from the host through ``/proc/<pid>/root``
    (independent of the exec code under test, and no exec process per look)."""
    with open(f"/proc/{pid}/root/etc/image-marker", encoding="utf-8") as marker:
        return marker.read().strip()
