# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: importing OCI archives built by the harness."""
from harness.assertions import assert_clean_failure

BUSYBOX = "docker.io/library/busybox:test"


def listed(containerd, namespace):
    return {row.split()[0]: row.split()[2] for row in containerd.lines("images", "ls", namespace=namespace)[1:]}


def test_import(ansible, containerd, namespace, busybox_archive):
    args = {"name": "busybox:test", "source": "import", "archive_path": str(busybox_archive)}
    check, real, _check_again, _again = converged = ansible.converge(
        "image", args, observe=lambda: listed(containerd, namespace),
        expect_diff=lambda diff: diff["after"]["digest"].startswith("sha256:"))
    assert converged.before == {}
    assert real["image"]["name"] == BUSYBOX
    assert converged.after == {BUSYBOX: check["image"]["digest"]}


def test_import_of_an_archive_with_a_new_digest_replaces_the_image(ansible, containerd, namespace, busybox,
                                                                   busybox_v2_archive):
    old = listed(containerd, namespace)[BUSYBOX]
    args = {"name": BUSYBOX, "source": "import", "archive_path": str(busybox_v2_archive)}
    converged = ansible.converge("image", args, observe=lambda: listed(containerd, namespace))
    new = converged.check["image"]["digest"]
    assert new != old and converged.check["diff"] == {"before": {"digest": old}, "after": {"digest": new}}
    assert converged.before == {BUSYBOX: old}
    assert converged.after == {BUSYBOX: new}


def test_import_under_another_name_names_the_image(ansible, containerd, namespace, busybox_archive):
    args = {"name": "example.com/tools/box:1", "source": "import", "archive_path": str(busybox_archive)}
    assert ansible.module("image", args)["status"] == "changed"
    assert list(listed(containerd, namespace)) == ["example.com/tools/box:1"]
    assert ansible.module("image", args)["status"] == "ok"


def test_import_of_a_missing_archive_fails_cleanly(ansible, containerd, namespace, tmp_path):
    result = ansible.module("image", {"name": BUSYBOX, "source": "import", "archive_path": str(tmp_path / "no.tar")})
    assert_clean_failure(result, "does not exist")
    assert listed(containerd, namespace) == {}


def test_import_of_a_corrupt_archive_fails_cleanly(ansible, containerd, namespace, tmp_path, busybox_archive):
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"this is not a tar file" * 100)
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(busybox_archive.read_bytes()[:300000])
    for path in (garbage, truncated):
        result = ansible.module("image", {"name": BUSYBOX, "source": "import", "archive_path": str(path)})
        assert_clean_failure(result)
        assert listed(containerd, namespace) == {}, path


def test_an_image_imported_without_unpacking_is_unpacked_on_request(ansible, containerd, namespace,
                                                                    busybox_archive):
    args = {"name": BUSYBOX, "source": "import", "archive_path": str(busybox_archive), "unpack": False,
            "snapshotter": "native"}
    assert ansible.module("image", args)["status"] == "changed"
    assert ansible.module("image", args)["status"] == "ok"
    assert containerd.ctr("images", "check", "--snapshotter", "native", namespace=namespace).stdout.split()[-1] \
        == "false"

    converged = ansible.converge("image", dict(args, unpack=True), observe=lambda: containerd.ctr(
        "images", "check", "--snapshotter", "native", namespace=namespace).stdout.split()[-1])
    assert converged.real["actions"] == ["imported %s from %s (not unpacked locally)" % (BUSYBOX, busybox_archive)]
    assert converged.after == "true"
