# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The workloads role's argument specs reject a bad entry before anything runs, naming the variable."""
import pytest

from harness.ansible import Ansible

from fleet_hosts import BUSYBOX, WORKLOADS_TASK, records

BAD_ENTRIES = {
    "no name": ({"image": BUSYBOX}, "name"),
    "unknown state": ({"name": "web", "image": BUSYBOX, "state": "up"}, "state"),
    "no image while running": ({"name": "web"}, "image"),
    "port that is no number": ({"name": "web", "image": BUSYBOX, "healthcheck": {"tcp_port": "http"}}, "tcp_port"),
    "two health checks": ({"name": "web", "image": BUSYBOX, "healthcheck": {"exec": "true", "tcp_port": 80}},
                          "exec|tcp_port"),
    "env that is no dict": ({"name": "web", "image": BUSYBOX, "env": ["A=1"]}, "env"),
}


@pytest.mark.parametrize("entry, key", list(BAD_ENTRIES.values()), ids=list(BAD_ENTRIES))
def test_the_role_rejects_a_bad_workload_entry_naming_the_variable(tmp_path, entry, key):
    runner = Ansible(tmp_path / "ansible")
    play = runner.run([], roles=["containerd.runtime.workloads"], play_vars={
        "containerd_workloads": [entry],
        "containerd_grpc_address": str(tmp_path / "nowhere.sock"),  # never reached
    })

    assert play.rc != 0, play
    (task, message), = play.failures()
    assert "arg spec" in task, play
    assert "containerd_workloads" in message and key in message, message
    assert not records(play, WORKLOADS_TASK), play
