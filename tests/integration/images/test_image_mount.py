# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: mount_path keeps a read-only mount of the image's filesystem; mounted=false removes it."""
import subprocess


def mounted(path):
    return subprocess.run(["mountpoint", "-q", str(path)], check=False).returncode == 0


def test_mount_and_unmount(ansible, containerd, namespace, busybox, tmp_path):
    path = tmp_path / "mnt"
    args = {"name": busybox, "source": "local", "mount_path": str(path)}
    try:
        mount = ansible.converge("image", args, observe=lambda: mounted(path))
        assert mount.before is False and mount.after is True
        assert (path / "etc" / "image-marker").read_text() == "v1\n"
        assert subprocess.run(["touch", str(path / "x")], check=False, capture_output=True).returncode != 0

        unmount = ansible.converge("image", dict(args, mounted=False), observe=lambda: mounted(path))
        assert unmount.before is True and unmount.after is False
    finally:
        if mounted(path):
            containerd.ctr("images", "unmount", "--rm", path, namespace=namespace, check=False)
