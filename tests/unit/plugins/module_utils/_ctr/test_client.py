# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client builds argv lists and turns failures into typed errors (process layer stubbed)."""
import os

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import errors
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.namespaces import not_empty_message

from stub_runner import StubRunner


def test_argv_carries_address_timeouts_and_namespace(ctr, listening_socket, captured):
    runner = StubRunner((0, captured("namespaces-ls.txt"), ""))
    client = CtrClient(ctr, listening_socket, "web", 7, runner)
    client.namespaces()
    assert runner.calls == [[ctr, "--address", listening_socket, "--connect-timeout", "7s", "--timeout", "7s",
                             "namespaces", "ls"]]
    client.runner = StubRunner((0, "", ""))
    client.images()
    assert client.runner.calls[0][7:] == ["--namespace", "web", "images", "ls"]


def test_version_is_detected_once(ctr, listening_socket, captured):
    runner = StubRunner((0, captured("version.txt"), ""))
    client = CtrClient(ctr, listening_socket, runner=runner)
    assert client.major in (1, 2)
    assert client.server_version == client.server_version
    assert len(runner.calls) == 1


def test_a_missing_socket_fails_before_running_ctr(ctr, tmp_path):
    runner = StubRunner()
    client = CtrClient(ctr, str(tmp_path / "none.sock"), runner=runner)
    with pytest.raises(errors.DaemonUnavailable, match="is the service started"):
        client.version()
    assert runner.calls == []


def test_a_path_that_is_not_a_socket_is_unavailable(ctr, tmp_path):
    plain = tmp_path / "file"
    plain.write_text("")
    with pytest.raises(errors.DaemonUnavailable, match="is not a socket"):
        CtrClient(ctr, str(plain), runner=StubRunner()).version()


def test_ctr_must_be_an_executable_file(tmp_path, listening_socket):
    text = tmp_path / "ctr"
    text.write_text("")
    with pytest.raises(errors.CtrNotFound, match="is not an executable file"):
        CtrClient(str(text), listening_socket, runner=StubRunner()).version()
    with pytest.raises(errors.CtrNotFound, match="not found in PATH"):
        CtrClient(None, listening_socket, runner=StubRunner()).version()


def test_removing_a_non_empty_namespace_lists_its_content(ctr, listening_socket, captured):
    runner = StubRunner((0, "docker.io/library/busybox:test\n", ""), (0, "c1\nc2\n", ""),
                        (0, captured("tasks-ls.txt"), ""), (0, captured("snapshots-ls.txt"), ""), (0, "", ""))
    client = CtrClient(ctr, listening_socket, runner=runner)
    with pytest.raises(errors.NamespaceNotEmpty) as raised:
        client.ensure_namespace_empty("web")
    assert raised.value.extra["contents"]["containers"] == ["c1", "c2"]
    assert "containers (2): c1, c2" in raised.value.message
    assert all("remove" not in call for call in runner.calls)


def test_label_removal_sets_an_empty_value(ctr, listening_socket):
    runner = StubRunner((0, "", ""), (0, "", ""))
    CtrClient(ctr, listening_socket, runner=runner).set_namespace_labels("web", {"a": None, "b": "2"})
    assert [call[-1] for call in runner.calls] == ["a=", "b=2"]


def test_long_listings_are_shortened():
    message = not_empty_message("web", {"images": ["i%d" % n for n in range(15)]})
    assert "images (15): i0, i1" in message and "and 5 more" in message


def test_socket_path_accepts_unix_urls(ctr, listening_socket):
    runner = StubRunner((0, "", ""))
    CtrClient(ctr, "unix://" + listening_socket, runner=runner).plugins()
    assert len(runner.calls) == 1
    assert os.path.exists(listening_socket)
