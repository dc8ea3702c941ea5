# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image_info: lists images with their fields, never changed."""

BUSYBOX = "docker.io/library/busybox:test"


def test_image_info_lists_images_and_filters_by_name(ansible, containerd, namespace, busybox):
    containerd.ctr("images", "tag", BUSYBOX, "docker.io/library/box:two", namespace=namespace)
    digest = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    every = ansible.module("image_info", {})
    assert every["status"] == "ok", every
    assert [image["name"] for image in every["images"]] == ["docker.io/library/box:two", BUSYBOX]
    image = every["images"][1]
    assert image["digest"] == digest and image["complete"] is True and image["unpacked"] is True
    assert image["platforms"] and image["labels"] == {} and image["size_bytes"] > 0

    one = ansible.module("image_info", {"name": ["busybox:test", "nothere"]}, check=True)
    assert one["status"] == "ok"
    assert [image["name"] for image in one["images"]] == [BUSYBOX]
    assert one["missing"] == ["docker.io/library/nothere:latest"]
