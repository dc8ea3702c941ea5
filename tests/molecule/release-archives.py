# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Release archives for the molecule scenarios, built locally (nothing is downloaded from upstream).

Builds (once, cached) the upstream-named release archives of tests/integration/harness/release_mirror.py
from Debian's binaries that tests/setup/fetch-containerd.sh cached, and the busybox OCI archive of
harness/images.py, then prints JSON for the scenarios: for containerd "1.7" and "2.x", "runc" and
"cni_plugins" the version, the local path of the archive and its pinned sha256 checksum; "busybox" the
OCI archive's path and image reference.

    .venv/bin/python tests/molecule/release-archives.py
"""
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from harness import binaries, images, release_mirror  # noqa: E402

BUSYBOX_REF = "docker.io/library/busybox:molecule"


def _entry(root, component, version, name):
    path = root / release_mirror.GITHUB_PATHS[component].format(v=version) / name
    return {
        "version": version,
        "url": str(path),
        "checksum": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def main():
    root = binaries.CACHE / "release-mirror"
    found = release_mirror.build(root)
    arch = images.ARCH
    out = {}
    for key in ("1.7", "2.x"):
        version = found[key]
        out[key] = _entry(root, "containerd", version, f"containerd-{version}-linux-{arch}.tar.gz")
    out["runc"] = _entry(root, "runc", found["runc"], f"runc.{arch}")
    cni = found["cni_plugins"]
    out["cni_plugins"] = _entry(root, "cni_plugins", cni, f"cni-plugins-linux-{arch}-v{cni}.tgz")
    busybox = binaries.CACHE / "images" / "busybox-molecule.tar"
    images.build_archive(busybox, marker="molecule", ref=BUSYBOX_REF)
    out["busybox"] = {"path": str(busybox), "ref": BUSYBOX_REF}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
