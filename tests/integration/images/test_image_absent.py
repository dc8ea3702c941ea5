"""image: state=absent removes the image and its tags."""

BUSYBOX = "docker.io/library/busybox:test"


def test_absent(ansible, containerd, namespace, busybox):
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/box:two", namespace=namespace)
    digest = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    args = {"name": "busybox:test", "tags": ["box:two"], "state": "absent"}

    check = ansible.module("image", args, check=True, diff=True)
    assert check["status"] == "changed", check
    assert check["diff"]["before"]["digest"] == {BUSYBOX: digest, "docker.io/library/box:two": digest}
    assert len(containerd.lines("images", "ls", "-q", namespace=namespace)) == 2

    real = ansible.module("image", args)
    assert real["status"] == "changed", real
    assert real["image"] is None
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == []
    assert ansible.module("image", args, check=True)["status"] == "ok"
    assert ansible.module("image", args)["status"] == "ok"
