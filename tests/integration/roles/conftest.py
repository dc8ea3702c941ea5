# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the role tests (tests/integration/roles): a private layout per test for the containerd role.

The role itself starts containerd (that is the code under test) as a supervised daemon; the fixture stops
it at the end by PID, read from the role's pid files, whether the test passed or not (see
``harness.roles.RoleHost``). Nothing here starts containerd.
"""
import tempfile

import pytest

from harness.binaries import VERSIONS
from harness.roles import RoleHost


@pytest.fixture(params=list(VERSIONS), ids=lambda v: "containerd-" + v)
def role_host(request):
    """A private layout for the containerd role on each containerd version; cleaned up by PID."""
    host = RoleHost(request.param, tempfile.mkdtemp(prefix="crole-", dir="/tmp"))
    try:
        yield host
    finally:
        host.cleanup()
