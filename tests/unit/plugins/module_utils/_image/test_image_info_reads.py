# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image_info module's reads (_image/info.py): the images asked for, complete and unpacked, and the missing."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidOptions
from ansible_collections.containerd.runtime.plugins.module_utils._image import info


def test_names_are_normalised():
    assert info.wanted_names({"name": ["busybox:test"]}) == ["docker.io/library/busybox:test"]
    assert info.wanted_names({"name": None}) is None


def test_invalid_names_are_rejected_together():
    with pytest.raises(InvalidOptions) as raised:
        info.wanted_names({"name": ["Bad", "ok", "a//b"]})
    assert raised.value.message.count("invalid image reference") == 2


def test_the_images_asked_for_with_their_state_and_the_missing(ctr, listening_socket, captured, stub_runner):
    replies = [(0, captured("images-ls.txt"), ""), (0, captured("images-check.txt"), "")]
    client = CtrClient(ctr, listening_socket, "ns", 5, stub_runner(*replies))
    found = info.image_info(client, ["docker.io/library/busybox:test", "docker.io/library/gone:1"], "overlayfs")
    calls = [argv[9:] for argv in client.runner.calls]
    assert calls == [["images", "ls"], ["images", "check", "--snapshotter", "overlayfs"]]
    (image,) = found["images"]
    assert (image["name"], image["complete"], image["unpacked"]) == ("docker.io/library/busybox:test", True, True)
    assert found["missing"] == ["docker.io/library/gone:1"]
