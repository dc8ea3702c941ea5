"""image: export_path writes an archive, rewritten only when the image's digest differs from the archive's."""
import json
import tarfile

BUSYBOX = "docker.io/library/busybox:test"


def archive_digest(path):
    with tarfile.open(path) as tar:
        index = json.load(tar.extractfile("index.json"))
    return [m["digest"] for m in index["manifests"]
            if m.get("annotations", {}).get("io.containerd.image.name") == BUSYBOX]


def test_export(ansible, containerd, namespace, busybox, tmp_path, busybox_v2_archive):
    digest = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    path = tmp_path / "out" / "busybox.tar"
    path.parent.mkdir()
    args = {"name": BUSYBOX, "source": "local", "export_path": str(path)}

    check = ansible.module("image", args, check=True, diff=True)
    assert check["status"] == "changed", check
    assert check["diff"]["after"]["export"] == {"path": str(path), "digest": digest}
    assert not path.exists()

    assert ansible.module("image", args)["status"] == "changed"
    assert archive_digest(path) == [digest]
    mtime = path.stat().st_mtime_ns
    assert ansible.module("image", args, check=True)["status"] == "ok"
    assert ansible.module("image", args)["status"] == "ok"
    assert path.stat().st_mtime_ns == mtime
    assert list(path.parent.iterdir()) == [path]

    # the image moves to another digest: the archive is rewritten
    containerd.ctr("images", "import", *(["--local"] if containerd.version.startswith("2") else []),
                   busybox_v2_archive, namespace=namespace)
    new = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    assert new != digest
    result = ansible.module("image", args, diff=True)
    assert result["status"] == "changed", result
    assert result["diff"]["before"]["export"]["digest"] == digest
    assert archive_digest(path) == [new]
