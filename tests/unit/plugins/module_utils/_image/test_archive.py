# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers of image output (ctr images check) and archive reading."""
import io
import json
import tarfile

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._image import archive as image_archive
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ArchiveError
CHECK_INCOMPLETE = (
    "REF                       TYPE                                       DIGEST"
    "                                                                  STATUS           SIZE               UNPACKED \n"
    "127.0.0.1:5000/busybox:1  application/vnd.oci.image.manifest.v1+json sha256:"
    "f83f40b484fc75d7381787306a07b024f6259930804b01434b2fdb0ebc4a8afd incomplete (1/2) 348.0 B/1007.7 KiB true     \n")


def test_image_check_complete(captured):
    (image,) = parse.parse_image_check(captured("images-check.txt"))
    assert image["name"] == "docker.io/library/busybox:test"
    assert image["status"] == "complete" and image["complete"] is True
    assert image["available"] == image["required"] == 2
    assert image["unpacked"] is True


def test_image_check_incomplete():
    (image,) = parse.parse_image_check(CHECK_INCOMPLETE)
    assert (image["status"], image["complete"], image["available"], image["required"]) == ("incomplete", False, 1, 2)


def tar_with(tmp_path, files):
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return str(path)


def test_oci_archive_names_and_digests(tmp_path):
    index = {"manifests": [{"digest": "sha256:1", "annotations": {
        "io.containerd.image.name": "docker.io/library/busybox:test", "org.opencontainers.image.ref.name": "test"}},
        {"digest": "sha256:2", "annotations": {"org.opencontainers.image.ref.name": "example.com/a:1"}}]}
    path = tar_with(tmp_path, {"index.json": json.dumps(index).encode()})
    assert image_archive.archive_images(path) == [{"name": "docker.io/library/busybox:test", "digest": "sha256:1"},
                                                  {"name": "example.com/a:1", "digest": "sha256:2"}]
    assert image_archive.archive_digest(path, "example.com/a:1") == "sha256:2"
    assert image_archive.archive_digest(path, "example.com/b:1") is None


def test_docker_archive_names_without_digest(tmp_path):
    path = tar_with(tmp_path, {"manifest.json": json.dumps([{"RepoTags": ["busybox:1"]}]).encode()})
    assert image_archive.archive_images(path) == [{"name": "docker.io/library/busybox:1", "digest": None}]


@pytest.mark.parametrize("content,reason", [(None, "does not exist"), (b"garbage" * 100, "not a readable"),
                                            ("notimage", "neither index.json")])
def test_bad_archives(tmp_path, content, reason):
    path = tmp_path / "x.tar"
    if content == "notimage":
        path = tar_with(tmp_path, {"README": b"hi"})
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ArchiveError) as raised:
        image_archive.archive_images(str(path))
    assert reason in raised.value.message
