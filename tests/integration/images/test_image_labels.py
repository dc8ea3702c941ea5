"""image: labels set, changed and removed with a diff."""

BUSYBOX = "docker.io/library/busybox:test"


def labels(containerd, namespace):
    row = containerd.lines("images", "ls", namespace=namespace)[1].split()
    return {} if row[-1] == "-" else dict(item.split("=", 1) for item in row[-1].split(","))


def test_labels(ansible, containerd, namespace, busybox):
    containerd.ctr("images", "label", BUSYBOX, "keep=1", "change=old", "drop=x", namespace=namespace)
    args = {"name": BUSYBOX, "source": "local", "labels": {"change": "new", "drop": None, "add": "yes"}}

    check = ansible.module("image", args, check=True, diff=True)
    assert check["status"] == "changed", check
    assert check["diff"] == {"before": {"labels": {"keep": "1", "change": "old", "drop": "x"}},
                             "after": {"labels": {"keep": "1", "change": "new", "add": "yes"}}}
    assert labels(containerd, namespace) == {"keep": "1", "change": "old", "drop": "x"}

    real = ansible.module("image", args)
    assert real["status"] == "changed", real
    assert real["image"]["labels"] == {"keep": "1", "change": "new", "add": "yes"}
    assert labels(containerd, namespace) == {"keep": "1", "change": "new", "add": "yes"}
    assert ansible.module("image", args, check=True)["status"] == "ok"
    assert ansible.module("image", args)["status"] == "ok"
