# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Captured output of real ctr 1.6, 1.7 and 2.x runs (tests/unit/fixtures/ctr/<version>/)."""
import socket
from pathlib import Path

import pytest
from stub_runner import StubRunner

FIXTURES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "ctr"
VERSIONS = ["1.6", "1.7", "2.x"]


@pytest.fixture(params=VERSIONS)
def captured(request):
    """captured(name) -> text of fixtures/ctr/<version>/<name>."""
    def read(name):
        return (FIXTURES / request.param / name).read_text()
    read.version = request.param
    return read


@pytest.fixture
def stub_runner():
    return StubRunner


@pytest.fixture
def listening_socket(tmp_path):
    """A unix socket that exists and listens (the client checks the address before running ctr)."""
    path = str(tmp_path / "c.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    yield path
    server.close()


@pytest.fixture
def ctr(tmp_path):
    """An executable file standing in for the ctr binary (the runner is stubbed, it never runs)."""
    path = tmp_path / "ctr"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def versioned_client(ctr, listening_socket, captured, stub_runner):
    """A CtrClient (namespace ns) of the captured version whose ``ctr version`` has been answered; ``two``:
    whether it is 2.x. Queue further replies on ``runner.replies``; ``runner.calls[0]`` is ``ctr version``."""
    from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
    made = CtrClient(ctr, listening_socket, "ns", 5, stub_runner((0, captured("version.txt"), "")))
    made.version()
    made.two = captured.version == "2.x"
    return made
