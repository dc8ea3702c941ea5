# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd.runtime.deploy when containerd is down on one host: that host fails clearly, the others complete."""
from fleet_hosts import HOSTS, WORKLOADS_TASK, by_host, web


def test_a_host_whose_containerd_is_down_fails_clearly_and_the_next_deploy_heals_only_that_host(fleet_of_daemons):
    fleet = fleet_of_daemons
    victim = fleet["host2"].daemon
    victim.kill()

    # all hosts in one batch, and a batch may lose half of them: the healthy hosts must still complete
    play = fleet.deploy([web()], containerd_deploy_batch=3, containerd_deploy_max_fail_percentage=50)

    assert play.rc != 0, play
    first = by_host(play, WORKLOADS_TASK)
    assert first["host2"]["status"] == "failed", first["host2"]
    assert "containerd is not running at %s" % victim.socket in first["host2"]["result"]["msg"], first["host2"]
    assert "deploy failed on host2: containerd is not running" in play.stdout, play.stdout
    healthy = ("host1", "host3")
    for name in healthy:
        assert first[name]["status"] == "changed", first[name]
        assert first[name]["result"]["workloads"][0]["healthy"] is True, first[name]
    before = {name: (fleet[name].container()["CreatedAt"], fleet[name].task()) for name in healthy}

    victim.start()
    healed = fleet.deploy([web()], containerd_deploy_batch=3, containerd_deploy_max_fail_percentage=50)

    assert healed.rc == 0, healed
    second = by_host(healed, WORKLOADS_TASK)
    assert sorted(second) == list(HOSTS), healed
    assert second["host2"]["status"] == "changed", second["host2"]
    assert second["host2"]["result"]["workloads"][0]["healthy"] is True, second["host2"]
    assert fleet["host2"].task()["status"] == "RUNNING"
    for name in healthy:
        assert second[name]["status"] == "ok", second[name]
        assert (fleet[name].container()["CreatedAt"], fleet[name].task()) == before[name]
