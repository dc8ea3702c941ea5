# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the demo's image archive offline: Debian's busybox-static as an OCI image, no registry involved.

    demo-image.py <archive path> <image reference>

The image is the test harness's public-shaped busybox image (labels, env, an entrypoint script + cmd, working
dir, stop signal, ports, volumes, healthcheck: tests/integration/harness/corpus.py builds it; this script
only finds a busybox-static binary for it): the one cached by tests/setup/fetch-containerd.sh when it is
there, else busybox-static downloaded with ``apt-get download`` (nothing installed) and unpacked next to
the archive. The archive is rebuilt only when its content would differ. Prints the manifest digest.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))

from harness import binaries, corpus  # noqa: E402  pylint: disable=wrong-import-position

MARKER = "containerd.runtime demo"


def busybox_binary(work_dir):
    """Path of a static busybox: the test cache's, or one unpacked from Debian's busybox-static package."""
    try:
        return binaries.tool("busybox")
    except binaries.MissingBinaries:
        pass
    unpacked = work_dir / "busybox-static"
    path = unpacked / "bin" / "busybox"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory(dir=work_dir) as download:
        subprocess.run(["apt-get", "-o", "APT::Sandbox::User=root", "download", "-qq", "busybox-static"], cwd=download, check=True)
        deb = next(Path(download).glob("busybox-static_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    return path


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    archive, ref = Path(argv[1]).resolve(), argv[2]
    archive.parent.mkdir(parents=True, exist_ok=True)
    print(corpus.build_archive(archive, marker=MARKER, ref=ref, busybox=busybox_binary(archive.parent)))


if __name__ == "__main__":
    main(sys.argv)
