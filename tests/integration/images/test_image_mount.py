"""image: mount_path keeps a read-only mount of the image's filesystem; mounted=false removes it."""
import subprocess


def mounted(path):
    return subprocess.run(["mountpoint", "-q", str(path)], check=False).returncode == 0


def test_mount_and_unmount(ansible, containerd, namespace, busybox, tmp_path):
    path = tmp_path / "mnt"
    args = {"name": busybox, "source": "local", "mount_path": str(path)}
    try:
        check = ansible.module("image", args, check=True)
        assert check["status"] == "changed", check
        assert not mounted(path)

        real = ansible.module("image", args)
        assert real["status"] == "changed", real
        assert mounted(path)
        assert (path / "etc" / "image-marker").read_text() == "v1\n"
        assert subprocess.run(["touch", str(path / "x")], check=False, capture_output=True).returncode != 0
        assert ansible.module("image", args, check=True)["status"] == "ok"
        assert ansible.module("image", args)["status"] == "ok"

        off = dict(args, mounted=False)
        assert ansible.module("image", off, check=True)["status"] == "changed"
        assert mounted(path)
        assert ansible.module("image", off)["status"] == "changed"
        assert not mounted(path)
        assert ansible.module("image", off, check=True)["status"] == "ok"
        assert ansible.module("image", off)["status"] == "ok"
    finally:
        if mounted(path):
            containerd.ctr("images", "unmount", "--rm", path, namespace=namespace, check=False)
