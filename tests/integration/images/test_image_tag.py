"""image: tags that must point at the same image (ctr images tag --force semantics)."""

BUSYBOX = "docker.io/library/busybox:test"


def listed(containerd, namespace):
    return {row.split()[0]: row.split()[2] for row in containerd.lines("images", "ls", namespace=namespace)[1:]}


def test_tag(ansible, containerd, namespace, busybox):
    digest = listed(containerd, namespace)[BUSYBOX]
    args = {"name": BUSYBOX, "source": "local", "tags": ["box:one", "example.com/tools/box:two"]}
    tags = ["docker.io/library/box:one", "example.com/tools/box:two"]

    check = ansible.module("image", args, check=True, diff=True)
    assert check["status"] == "changed", check
    assert check["diff"] == {"before": {"tags": dict.fromkeys(tags)}, "after": {"tags": dict.fromkeys(tags, digest)}}
    assert list(listed(containerd, namespace)) == [BUSYBOX]

    real = ansible.module("image", args)
    assert real["status"] == "changed", real
    assert real["image"]["tags"] == tags
    assert listed(containerd, namespace) == dict.fromkeys([BUSYBOX] + tags, digest)
    assert ansible.module("image", args, check=True)["status"] == "ok"
    assert ansible.module("image", args)["status"] == "ok"


def test_a_tag_pointing_elsewhere_is_moved_and_reported(ansible, containerd, namespace, busybox,
                                                        busybox_v2_archive):
    digest = listed(containerd, namespace)[BUSYBOX]
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/old:v1", namespace=namespace)
    containerd.ctr("images", "import", *(["--local"] if containerd.version.startswith("2") else []),
                   "--base-name", "docker.io/library/busybox", busybox_v2_archive, namespace=namespace)
    v2 = listed(containerd, namespace)[BUSYBOX]
    assert v2 != digest
    args = {"name": "docker.io/library/old:v1", "source": "local", "tags": ["moving:tag"]}
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/moving:tag", namespace=namespace)

    check = ansible.module("image", args, check=True, diff=True)
    assert check["status"] == "changed", check
    assert check["diff"] == {"before": {"tags": {"docker.io/library/moving:tag": v2}},
                             "after": {"tags": {"docker.io/library/moving:tag": digest}}}
    assert listed(containerd, namespace)["docker.io/library/moving:tag"] == v2
    real = ansible.module("image", args)
    assert real["status"] == "changed", real
    assert real["actions"] == ["moved tag docker.io/library/moving:tag from %s to %s" % (v2[:19], digest[:19])]
    assert listed(containerd, namespace)["docker.io/library/moving:tag"] == digest
    assert ansible.module("image", args, check=True)["status"] == "ok"
    assert ansible.module("image", args)["status"] == "ok"
