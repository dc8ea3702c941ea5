# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role checks the inputs that become paths before anything is written (issue 13, finding 11)."""
import tempfile

import pytest

from harness.binaries import VERSIONS
from harness.roles import RoleHost, failed_tasks


@pytest.fixture
def host():
    role_host = RoleHost(max(VERSIONS), tempfile.mkdtemp(prefix="crole-", dir="/tmp"))
    try:
        yield role_host
    finally:
        role_host.cleanup()


@pytest.mark.parametrize("name", ["..", "a/../../b", ".hidden", "registry.local/x"])
def test_a_registry_name_that_is_a_path_fails_before_anything_is_written(host, name):
    play = host.play(containerd_registries=[{"name": name, "server": "https://registry.local"}],
                     containerd_registries_prune=True)
    assert play.rc != 0
    failed = failed_tasks(play)
    assert len(failed) == 1 and "Registry names are host names" in failed[0]["task"], failed
    assert "is not a registry host" in str(failed[0]["result"]), failed[0]["result"]
    assert not host.etc.exists() and host.daemon_pid() is None
