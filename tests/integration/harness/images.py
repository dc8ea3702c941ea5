# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build small OCI images around Debian's busybox-static, deterministically, and cache them.

An image is an OCI image-layout archive (what ``ctr images import`` and registries accept). The minimal
image built here (``build_archive``) is one gzip layer holding ``/bin/busybox`` with its applets as
symlinks, plus ``/etc/image-marker`` whose content makes two builds with different markers two different
digests (so a tag can move). The pieces (layers, configs, manifests in OCI or Docker schema-2 media types,
indexes, archives) are also what ``corpus.py`` builds its public-shaped images from.
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
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
# the media types of each format: manifest, config, layer, index (Docker's is the "manifest list")
MEDIA = {
    "oci": {"manifest": MEDIA_MANIFEST, "config": MEDIA_CONFIG, "layer": MEDIA_LAYER, "index": MEDIA_INDEX},
    "docker": {"manifest": "application/vnd.docker.distribution.manifest.v2+json",
               "config": "application/vnd.docker.container.image.v1+json",
               "layer": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "index": "application/vnd.docker.distribution.manifest.list.v2+json"},
}
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def blob_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _json(document):
    return json.dumps(document, sort_keys=True).encode()


def _add(tar, name, data=None, mode=None, symlink=None, directory=False, owner=0):
    info = tarfile.TarInfo(name)
    info.mtime = 0
    info.uid = info.gid = owner
    if directory:
        info.type, info.mode = tarfile.DIRTYPE, 0o755 if mode is None else mode
        tar.addfile(info)
    elif symlink:
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, symlink, 0o777
        tar.addfile(info)
    else:
        info.size, info.mode = len(data), 0o644 if mode is None else mode
        tar.addfile(info, io.BytesIO(data))


# ---- layers: lists of tar entries ----------------------------------------------------------------------

def directory(name, mode=0o755, owner=0):
    return {"name": name, "directory": True, "mode": mode, "owner": owner}


def file(name, data, mode=0o644, owner=0):
    return {"name": name, "data": data if isinstance(data, bytes) else data.encode(), "mode": mode, "owner": owner}


def whiteout(path):
    """The entry that deletes ``path`` of a lower layer: ``<dir>/.wh.<name>``."""
    parent, _sep, name = path.rpartition("/")
    return file("%s/.wh.%s" % (parent, name) if parent else ".wh." + name, b"")


def opaque(path):
    """The entry that hides everything lower layers had in directory ``path``: ``<path>/.wh..wh..opq``."""
    return file(path + "/.wh..wh..opq", b"")


def busybox_entries(busybox=None):
    """/bin/busybox with its applets as symlinks, and the few directories and files a busybox root needs."""
    busybox = Path(busybox) if busybox else binaries.tool("busybox")
    applets = subprocess.run([str(busybox), "--list"], capture_output=True, text=True, check=True).stdout.split()
    entries = [directory(name) for name in ("bin", "etc", "var", "var/www", "root")]
    entries.append(directory("tmp", mode=0o1777))
    entries.append(file("bin/busybox", busybox.read_bytes(), mode=0o755))
    entries += [{"name": "bin/" + applet, "symlink": "busybox"} for applet in sorted(set(applets) - {"busybox"})]
    entries.append(file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"))
    entries.append(file("etc/group", "root:x:0:\nnogroup:x:65534:\n"))
    return entries


def layer(entries):
    """(uncompressed tar, gzip) of a layer with ``entries`` in their order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            _add(tar, entry["name"], entry.get("data"), mode=entry.get("mode"),
                 symlink=entry.get("symlink"), directory=entry.get("directory", False), owner=entry.get("owner", 0))
    diff = raw.getvalue()
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0) as gz:
        gz.write(diff)
    return diff, compressed.getvalue()


# ---- configs, manifests, indexes, layouts ----------------------------------------------------------------

def descriptor(media_type, blob, **extra):
    result = {"mediaType": media_type, "digest": blob_digest(blob), "size": len(blob)}
    result.update(extra)
    return result


def manifest(image_config, layers, media="oci", architecture=ARCH, variant=None):
    """An image manifest for one platform: (manifest bytes, {digest: blob} of it, its config and layers).

    ``image_config``: the ``config`` part of the config blob (Cmd, Env, Labels ...); ``layers``: (diff, gzip)
    pairs, lowest first."""
    types = MEDIA[media]
    config = {
        "architecture": architecture, "os": "linux",
        "config": image_config,
        "rootfs": {"type": "layers", "diff_ids": [blob_digest(diff) for diff, _gz in layers]},
        "history": [{"created_by": "containerd.runtime test image layer %d" % number}
                    for number in range(1, len(layers) + 1)],
    }
    if variant:
        config["variant"] = variant
    config = _json(config)
    document = _json({
        "schemaVersion": 2, "mediaType": types["manifest"],
        "config": descriptor(types["config"], config),
        "layers": [descriptor(types["layer"], gz) for _diff, gz in layers],
    })
    blobs = {blob_digest(blob): blob for blob in [config, document] + [gz for _diff, gz in layers]}
    return document, blobs


def index(manifests, media="oci"):
    """An index (OCI) or manifest list (Docker) of ``manifests``: [(manifest bytes, platform dict)]."""
    types = MEDIA[media]
    return _json({"schemaVersion": 2, "mediaType": types["index"],
                  "manifests": [descriptor(types["manifest"], document, platform=platform_)
                                for document, platform_ in manifests]})


def layout(target, target_type, blobs, ref_names=()):
    """{path: bytes} of an OCI image layout whose index.json names ``target`` (a manifest or index blob)."""
    descriptors = []
    for ref in ref_names or (None,):
        entry = descriptor(target_type, target)
        if "index" not in target_type and "list" not in target_type:
            entry["platform"] = {"architecture": ARCH, "os": "linux"}
        if ref:
            entry["annotations"] = {
                "io.containerd.image.name": ref,
                "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[-1],
            }
        descriptors.append(entry)
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}',
             "index.json": _json({"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": descriptors})}
    for digest, blob in dict(blobs, **{blob_digest(target): target}).items():
        files["blobs/sha256/" + digest.split(":", 1)[1]] = blob
    return files


def write_archive(path, files, key):
    """Write the layout ``files`` as a tar to ``path`` unless the one there was written for ``key``."""
    path = Path(path)
    stamp = path.with_suffix(".digest")
    if path.exists() and stamp.exists() and stamp.read_text() == key:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("blobs", "blobs/sha256"):
            _add(tar, name, directory=True)
        for name in sorted(files):
            _add(tar, name, files[name])
    tmp.rename(path)
    stamp.write_text(key)


def archive_digest(path):
    """The digest of the image an archive holds (its manifest, or its index for a multi-platform image)."""
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("index.json"))["manifests"][0]["digest"]


# ---- the minimal image -------------------------------------------------------------------------------------

def _minimal_layer(marker, busybox=None):
    entries = busybox_entries(busybox)
    entries.append(file("etc/image-marker", f"{marker}\n"))
    entries.append(file("var/www/index.html", f"hello from {marker}\n"))
    return layer(entries)


def build_layout(marker="v1", cmd=("sh",), env=(PATH_ENV,), ref_names=(), busybox=None, labels=None):
    """Return {path: bytes} of the minimal image's OCI layout and the manifest digest.

    ``busybox``: path of a static busybox binary; default the cached one of the test binaries. ``labels``: the
    config's Labels (none by default)."""
    config = {"Cmd": list(cmd), "Env": list(env), "WorkingDir": "/"}
    if labels:
        config["Labels"] = dict(labels)
    document, blobs = manifest(config, [_minimal_layer(marker, busybox)])
    return layout(document, MEDIA_MANIFEST, blobs, ref_names), blob_digest(document)


def build_archive(path, marker="v1", ref="docker.io/library/busybox:test", **kwargs):
    """Write the minimal image's OCI archive for ``ref`` to ``path`` (reused when it exists); return its digest."""
    files, digest = build_layout(marker, ref_names=(ref,), **kwargs)
    write_archive(path, files, "%s %s" % (digest, ref))  # the ref is in the index, not in the manifest digest
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
