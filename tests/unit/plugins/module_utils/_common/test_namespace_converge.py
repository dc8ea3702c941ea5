# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The namespace module's converge (_common/namespace.py): plain params, a client, the run context."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import namespace
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidOptions
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from stub_runner import StubRunner


def test_validate_names_the_bad_namespace_name():
    with pytest.raises(InvalidOptions) as failed:
        namespace.validate(dict(name="a b", labels=None))
    assert "namespace name" in failed.value.message


def test_check_mode_predicts_a_new_namespace_with_its_labels_and_runs_no_write(ctr, listening_socket):
    runner = StubRunner((0, "NAME LABELS\n", ""))
    client = CtrClient(ctr, listening_socket, "default", 30, runner)
    result = namespace.converge(dict(name="apps", state="present", labels={"team": "web"}, purge_labels=False),
                                client, RunContext(check_mode=True, diff=True))
    assert result["changed"] is True and result["actions"] == ["created namespace apps"]
    assert result["namespace"] == {"name": "apps", "labels": {"team": "web"}}
    assert result["diff"]["after"]["labels"] == {"team": "web"}
    assert not any("create" in argv for argv in runner.calls)
