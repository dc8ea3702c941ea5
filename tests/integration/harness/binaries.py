# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the cached test binaries live, keyed by containerd version."""
import os
from pathlib import Path

CACHE = Path(os.environ.get(
    "CONTAINERD_RUNTIME_TEST_CACHE",
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "containerd-runtime-tests",
))

# version key -> cache directory written by tests/setup/fetch-containerd.sh
VERSIONS = {
    "1.6": "containerd-1.6",
    "1.7": "containerd-1.7",
    "2.x": "containerd-2",
}
TOOLS = CACHE / "tools"


class MissingBinaries(RuntimeError):
    pass


def containerd_bin_dir(version):
    path = CACHE / VERSIONS[version] / "usr" / "bin"
    if not (path / "containerd").exists():
        raise MissingBinaries(
            f"containerd {version} is not in {CACHE}: run tests/setup/fetch-containerd.sh first")
    return path


def tool(name):
    """Path of a tool from the cached bookworm packages (runc, busybox, docker-registry, CNI plugins)."""
    for sub in ("usr/sbin", "usr/bin", "bin", "usr/lib/cni"):
        path = TOOLS / sub / name
        if path.exists():
            return path
    raise MissingBinaries(f"{name} is not in {TOOLS}: run tests/setup/fetch-containerd.sh first")


def cni_bin_dir():
    return TOOLS / "usr" / "lib" / "cni"
