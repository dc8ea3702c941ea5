# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role in check mode predicts a config change, validates it, and changes nothing."""
from harness.roles import changed_tasks


def test_check_mode_predicts_and_touches_nothing(role_host):
    assert role_host.play().rc == 0
    before = role_host.config.read_text()
    daemon = role_host.daemon_pid()

    play = role_host.play(check=True, diff=True, containerd_debug_level="info")
    assert play.rc == 0, play
    changed = changed_tasks(play)
    assert any("Render config.toml" in name for name in changed), changed
    render = next(r["result"] for r in play.records if "Render config.toml" in r["task"])
    assert "level = " in render["diff"]["after"] and render["diff"]["before"] == before

    assert role_host.config.read_text() == before
    assert role_host.daemon_pid() == daemon and role_host.starts() == 1
    assert role_host.ctr_version().returncode == 0

    broken = role_host.play(check=True, containerd_config_overrides=role_host.private_overrides(
        {"grpc": {"address": 5}}))
    assert broken.rc != 0  # containerd judges the new config in check mode too
    assert "containerd rejected the new config" in broken.records[-1]["result"]["msg"]
