# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the converge tests: a CtrClient on the FakeCtr model whose ctr has a runc shim next to it."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from fake_ctr import FakeCtr


@pytest.fixture
def shim_dir(tmp_path, ctr):
    """The fake ctr's directory holds a runc shim, as the runtime check wants."""
    shim = tmp_path / "containerd-shim-runc-v2"
    shim.write_text("#!/bin/sh\n")
    shim.chmod(0o755)
    return ctr


@pytest.fixture
def client(shim_dir, listening_socket):
    return CtrClient(shim_dir, listening_socket, "apps", 30, FakeCtr())
