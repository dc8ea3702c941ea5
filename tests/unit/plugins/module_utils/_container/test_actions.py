# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a container converge did, as data (_container/actions.py): events in, the module's action lines out."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._container.actions import Actions, Outcome


def test_lines_are_built_from_the_events_in_order_with_the_stop_signal_once_known():
    actions = Actions()
    stop = actions.add("stopped_task", "web")
    stop["signal"] = "SIGTERM"
    actions.add("created_container", "web")
    actions.network(["created network namespace apps--web"])
    assert actions.lines() == ["stopped task web with SIGTERM", "created container web",
                               "created network namespace apps--web"]


def test_flags_come_from_the_events_not_from_the_lines():
    actions = Actions()
    actions.network(["created container lookalike"])
    outcome = Outcome({}, actions)
    assert not outcome.created and outcome.result["actions"] == ["created container lookalike"]


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        Actions().add("frobbed", "web")
