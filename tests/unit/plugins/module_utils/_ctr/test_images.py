# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image operations of the client: argv per containerd version, registry failures typed (ctr stubbed)."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.images import RegistryOptions
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import RegistryUnreachable


@pytest.fixture
def client(versioned_client):
    return versioned_client


def tail(client):
    return client.runner.calls[-1][9:]


def test_pull_flags(client):
    ref = reference.parse("127.0.0.1:5000/app:1")
    client.runner.replies.append((0, "", ""))
    client.pull_image(ref, RegistryOptions(hosts_dir="/h"), platform="linux/arm64", snapshotter="native")
    assert tail(client) == ["images", "pull", "--hosts-dir", "/h", "--platform", "linux/arm64",
                            "--snapshotter", "native", "--", "127.0.0.1:5000/app:1"]
    assert client.runner.calls[-1][4:7] == ["600s", "--timeout", "600s"]


def test_skip_verify_runs_locally_on_2x(client):
    client.runner.replies.append((0, "", ""))
    client.pull_image(reference.parse("r.example.com/app:1"), RegistryOptions(skip_verify=True))
    expected = ["images", "pull", "--skip-verify=true"] + (["--local=true"] if client.two else []) + [
        "--", "r.example.com/app:1"]
    assert tail(client) == expected


def test_import_is_local_on_2x_and_can_skip_unpacking(client):
    client.runner.replies.append((0, "", ""))
    client.import_image("/a.tar", unpack=False)
    assert tail(client) == ["images", "import"] + (["--local=true"] if client.two else []) + [
        "--no-unpack=true", "--", "/a.tar"]


def test_labels_and_tags(client):
    client.runner.replies += [(0, "", ""), (0, "", "")]
    client.set_image_labels("docker.io/library/a:1", {"x": "1", "gone": None})
    assert tail(client) == ["images", "label", "--", "docker.io/library/a:1", "gone=", "x=1"]
    client.tag_image("docker.io/library/a:1", "docker.io/library/b:1")
    assert tail(client) == ["images", "tag", "--force=true", "--", "docker.io/library/a:1", "docker.io/library/b:1"]


def test_a_refused_pull_becomes_a_registry_error(client):
    client.runner.replies.append((1, "", 'ctr: failed to resolve image: failed to do request: Head "http://127.0.0.1:1'
                                         '/v2/a/manifests/1": dial tcp 127.0.0.1:1: connect: connection refused\n'))
    with pytest.raises(RegistryUnreachable) as raised:
        client.pull_image(reference.parse("127.0.0.1:1/a:1"), RegistryOptions(plain_http=True))
    assert "not reachable" in raised.value.message and raised.value.argv


def test_image_check(client, captured):
    client.runner.replies.append((0, captured("images-check.txt"), ""))
    checked = client.image_check(snapshotter="overlayfs")
    assert tail(client) == ["images", "check", "--snapshotter", "overlayfs"]
    assert checked["docker.io/library/busybox:test"]["complete"] is True
