# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test images shaped like the ones public registries serve, built offline around Debian's busybox-static.

Every image of the corpus has what almost every public image has and the minimal image of images.py lacks:
a config with a dozen labels (``maintainer``, ``org.opencontainers.image.*``), several env vars, an
entrypoint script that ends in ``exec "$@"`` (as nginx's or postgres's do) plus a Cmd, a working dir that is
not ``/``, a stop signal, exposed ports, volumes and a Docker-style healthcheck, in several layers (the
busybox base, then the application's). The shapes vary what public images vary:

    oci          the default: OCI media types, one manifest, root, SIGTERM (the ``busybox`` fixture)
    docker       Docker schema-2 media types, one manifest
    oci-index    an OCI index of two platforms (amd64 + arm64, same layers; only the host's one runs)
    docker-list  a Docker manifest list of the same two platforms
    nonroot      a numeric user (65534:65534) and SIGQUIT as the stop signal (like nginx)
    whiteouts    layers that delete what lower ones had: ``.wh.<name>`` files and an opaque directory

The ``/etc/image-marker`` file (in the top layer) carries the build's marker, so a v1 and a v2 build of
one shape are two digests (a tag can move); the base layer is the same blob in both, as in real updates.
Archives are cached under ``binaries.CACHE / "images" / "corpus"``, named after a digest of their content.
"""
import fcntl
import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import binaries, images
from .images import directory, file, opaque, whiteout

ENTRYPOINT = "/usr/local/bin/docker-entrypoint.sh"
ENTRYPOINT_SCRIPT = """#!/bin/sh
# docker-entrypoint.sh of the containerd.runtime test images: prepare, then become the command
set -e
if [ "${1#-}" != "$1" ]; then
    set -- httpd "$@"
fi
mkdir -p /tmp/app
exec "$@"
"""
CMD = ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
WORKING_DIR = "/srv/app"
ENV = [images.PATH_ENV, "LANG=C.UTF-8", "TZ=UTC", "APP_HOME=/srv/app", "APP_MODE=production", "HTTPD_PORT=8080"]
PORT = "8080/tcp"
VOLUME = "/var/lib/app"
SECOND = 1000000000  # Docker's healthcheck durations are nanoseconds
HEALTHCHECK = {"Test": ["CMD-SHELL", "test -s /etc/image-marker || exit 1"], "Interval": 5 * SECOND,
               "Timeout": 3 * SECOND, "StartPeriod": 1 * SECOND, "Retries": 3}
CREATED = "2024-05-01T12:00:00Z"
PLATFORMS = (("amd64", None), ("arm64", "v8"))


def labels(marker):
    """The image's config labels: those of public images (a dozen and more)."""
    return {
        "maintainer": "containerd.runtime tests <tests@containerd-runtime.invalid>",
        "org.opencontainers.image.title": "busybox-httpd",
        "org.opencontainers.image.description": "busybox httpd, shaped like an image of a public registry",
        "org.opencontainers.image.version": marker,
        "org.opencontainers.image.revision": hashlib.sha1(marker.encode()).hexdigest(),  # noqa: S324 (a name)
        "org.opencontainers.image.created": CREATED,
        "org.opencontainers.image.source": "https://git.containerd-runtime.invalid/test-images",
        "org.opencontainers.image.url": "https://containerd-runtime.invalid/test-images",
        "org.opencontainers.image.documentation": "https://containerd-runtime.invalid/test-images/README",
        "org.opencontainers.image.vendor": "containerd.runtime",
        "org.opencontainers.image.licenses": "GPL-2.0-only",
        "org.opencontainers.image.authors": "containerd.runtime contributors",
        "org.opencontainers.image.base.name": "docker.io/library/debian:bookworm-slim",
        "com.example.tier": "frontend",
    }


@dataclass(frozen=True)
class Shape:
    """What varies between the corpus's images."""
    name: str
    media: str = "oci"  # "oci" or "docker" media types
    multi_platform: bool = False  # an index / manifest list of PLATFORMS instead of one manifest
    user: str = ""  # the config's User ("" = root, as most official images)
    stop_signal: str = "SIGTERM"
    whiteouts: bool = False

    def ref(self, tag="test"):
        """The reference the corpus imports the shape under (the default one is busybox's)."""
        if self == DEFAULT:
            return "docker.io/library/busybox:" + tag
        return "docker.io/library/corpus-%s:%s" % (self.name, tag)

    @property
    def uid(self):
        return int(self.user.split(":", maxsplit=1)[0]) if self.user else 0

    def config(self, marker):
        """The ``config`` part of the image config blob."""
        return {
            "User": self.user, "ExposedPorts": {PORT: {}}, "Env": list(ENV), "Entrypoint": [ENTRYPOINT],
            "Cmd": list(CMD), "Healthcheck": dict(HEALTHCHECK), "Volumes": {VOLUME: {}}, "WorkingDir": WORKING_DIR,
            "Labels": labels(marker), "StopSignal": self.stop_signal, "OnBuild": None,
        }

    def layers(self, marker, busybox=None):
        """(diff, gzip) of each layer, lowest first."""
        base = images.busybox_entries(busybox)
        result = [images.layer(base)]
        if self.whiteouts:
            result.append(images.layer([
                directory("opt"), directory("opt/legacy"),
                file("opt/legacy/old.conf", "removed by the next layer\n"), file("opt/legacy/keep.conf", "kept\n"),
                directory("var/cache"), directory("var/cache/app"),
                file("var/cache/app/stale-1", "hidden by the next layer\n"), file("var/cache/app/stale-2", "hidden\n"),
            ]))
            result.append(images.layer([
                whiteout("opt/legacy/old.conf"),
                directory("var/cache/app"), opaque("var/cache/app"), file("var/cache/app/fresh", "fresh\n"),
            ]))
        owner = self.uid
        result.append(images.layer([
            directory("usr"), directory("usr/local"), directory("usr/local/bin"),
            file(ENTRYPOINT.lstrip("/"), ENTRYPOINT_SCRIPT, mode=0o755),
            directory("srv"), directory(WORKING_DIR.lstrip("/"), owner=owner),
            file(WORKING_DIR.lstrip("/") + "/app.conf", "mode=production\n", owner=owner),
            directory("var/lib"), directory(VOLUME.lstrip("/"), owner=owner),
            file("etc/image-marker", f"{marker}\n"),
            file("var/www/index.html", f"hello from {marker}\n"),
        ]))
        return result

    def build(self, marker="v1", ref=None, busybox=None):
        """{path: bytes} of the image's OCI layout naming it ``ref``, and the image's digest."""
        types = images.MEDIA[self.media]
        layers = self.layers(marker, busybox)
        platforms = PLATFORMS if self.multi_platform else ((images.ARCH, None),)
        if images.ARCH not in [arch for arch, _variant in platforms]:
            platforms += ((images.ARCH, None),)
        manifests, blobs = [], {}
        for architecture, variant in platforms:
            config = self.config(marker)
            document, own = images.manifest(config, layers, self.media, architecture, variant)
            blobs.update(own)
            wanted = {"architecture": architecture, "os": "linux"}
            if variant:
                wanted["variant"] = variant
            manifests.append((document, wanted))
        if self.multi_platform:
            target, target_type = images.index(manifests, self.media), types["index"]
        else:
            target, target_type = manifests[0][0], types["manifest"]
        files = images.layout(target, target_type, blobs, ref_names=(ref or self.ref(),))
        return files, images.blob_digest(target)


DEFAULT = Shape("oci")
CORPUS = {shape.name: shape for shape in (
    DEFAULT,
    Shape("docker", media="docker"),
    Shape("oci-index", multi_platform=True),
    Shape("docker-list", media="docker", multi_platform=True),
    Shape("nonroot", user="65534:65534", stop_signal="SIGQUIT"),
    Shape("whiteouts", media="docker", whiteouts=True),
)}


def build_archive(path, marker="v1", ref=None, shape=DEFAULT, busybox=None):
    """Write ``shape``'s archive for ``ref`` to ``path`` (reused when its content is the same); return the
    image's digest (what ``ctr images ls`` shows: the manifest's, or the index's)."""
    ref = ref or shape.ref()
    files, digest = shape.build(marker, ref, busybox)
    images.write_archive(path, files, "%s %s" % (digest, ref))
    return digest


def archive(shape=DEFAULT, marker="v1", ref=None):
    """(path, digest) of ``shape``'s cached archive, under a name keyed by the image's digest and ``ref``."""
    ref = ref or shape.ref()
    files, digest = shape.build(marker, ref)
    key = hashlib.sha256(("%s %s" % (digest, ref)).encode()).hexdigest()[:16]
    path = binaries.CACHE / "images" / "corpus" / ("%s-%s-%s.tar" % (shape.name, marker, key))
    images.write_archive(path, files, "%s %s" % (digest, ref))
    return path, digest


@dataclass(frozen=True)
class Archive:
    """A built archive of the corpus: its shape, path, the reference it names and the image's digest."""
    shape: Shape
    path: Path
    ref: str
    digest: str

    @classmethod
    def build(cls, shape, marker="v1"):
        path, digest = archive(shape, marker)
        return cls(shape, path, shape.ref(), digest)


# ---- the idempotence table -----------------------------------------------------------------------------------

REPORT = Path(__file__).resolve().parents[3] / ".build" / "reports" / "corpus-idempotence.tsv"
REPORT_COLUMNS = ("module", "image", "containerd", "check1", "run1", "check2", "run2", "run3", "pids_unchanged")


def reset_report():
    """Start the table afresh (once per pytest run, before the workers start)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\t".join(REPORT_COLUMNS) + "\n")


def report_idempotence(module, image, daemon, statuses, pids_unchanged):
    """Append one row to REPORT: the statuses of check, real, check, real, real of ``image`` through ``module``
    on ``daemon``, and whether the task kept its PID (written before the test asserts, so failures show)."""
    server = daemon.ctr("version").stdout.split("Server:", 1)[-1]
    version = next((line.split(":", 1)[1].strip() for line in server.splitlines() if "Version:" in line),
                   daemon.version)
    row = [module, image, version] + list(statuses) + [str(pids_unchanged).lower()]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with open(REPORT, "a", encoding="utf-8") as report:
        fcntl.flock(report, fcntl.LOCK_EX)  # the xdist workers append to the same file
        if report.tell() == 0:
            report.write("\t".join(REPORT_COLUMNS) + "\n")
        report.write("\t".join(row) + "\n")
