# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd.runtime.deploy on three hosts: converge, re-run, rolling update, a broken image stops the rollout."""
import json

from fleet_hosts import BUSYBOX, BUSYBOX_V2, HOSTS, SUMMARY_TASK, WORKLOADS_TASK, by_host, free_port, records, web


def recap(play, host):
    """The PLAY RECAP line of ``host`` as {counter: int}."""
    for line in play.stdout.splitlines():
        if line.startswith(host + " ") and "changed=" in line:
            return {key: int(value) for key, value in (item.split("=") for item in line.split(":", 1)[1].split())}
    raise AssertionError("no recap line for %s in:\n%s" % (host, play.stdout))


def test_deploy_converges_every_host_and_a_second_run_changes_nothing(fleet):
    first = fleet.deploy([web()])
    assert first.rc == 0, first
    converged = by_host(first, WORKLOADS_TASK)
    assert sorted(converged) == list(HOSTS), first
    for name in HOSTS:
        assert converged[name]["status"] == "changed", converged[name]
        assert converged[name]["result"]["workloads"][0]["healthy"] is True, converged[name]
        assert fleet[name].task()["status"] == "RUNNING"
        assert fleet[name].container()["Image"] == BUSYBOX

    second = fleet.deploy([web()])
    assert second.rc == 0, second
    again = by_host(second, WORKLOADS_TASK)
    for name in HOSTS:
        assert again[name]["status"] == "ok", again[name]
        assert again[name]["result"]["workloads"][0]["changed"] is False, again[name]
        assert recap(second, name)["changed"] == 0, second.stdout


def test_a_rolling_update_moves_every_host_to_the_new_tag_one_batch_at_a_time(fleet):
    assert fleet.deploy([web()]).rc == 0

    play = fleet.deploy([web(BUSYBOX_V2)], containerd_deploy_batch=1)
    assert play.rc == 0, play
    # one host per batch: each host's run (workloads, then summary) ends before the next host's begins
    order = [(record["host"], "summary" if record["task"].endswith(SUMMARY_TASK) else "workloads")
             for record in play.records
             if record["task"].endswith(WORKLOADS_TASK) or record["task"].endswith(SUMMARY_TASK)]
    assert order == [(name, step) for name in HOSTS for step in ("workloads", "summary")], play.records
    updated = by_host(play, WORKLOADS_TASK)
    for name in HOSTS:
        workload = updated[name]["result"]["workloads"][0]
        assert updated[name]["status"] == "changed" and workload["healthy"] is True, updated[name]
        assert fleet[name].container()["Image"] == BUSYBOX_V2
        assert fleet[name].task()["status"] == "RUNNING"
        assert fleet[name].marker() == "v2"
    summary = by_host(play, SUMMARY_TASK)
    assert any("healthy=true" in line and "changed" in line for line in summary["host2"]["result"]["msg"]), summary


def test_an_image_that_cannot_be_pulled_fails_the_first_host_and_later_batches_keep_the_old_version(fleet):
    assert fleet.deploy([web()]).rc == 0
    before = {name: fleet[name].task() for name in HOSTS}

    broken = "127.0.0.1:%d/busybox:v3" % free_port()
    play = fleet.deploy([web(broken)], containerd_deploy_batch=1)

    assert play.rc != 0, play
    attempted = records(play, WORKLOADS_TASK)
    assert [(record["host"], record["status"]) for record in attempted] == [("host1", "failed")], play.records
    assert "web" in attempted[0]["result"]["msg"] and "127.0.0.1" in attempted[0]["result"]["msg"], attempted
    # the play's own output names the failed host, why, and the hosts the rollout did not reach
    # (the default callback prints the message inside JSON: quotes escaped, and non-ASCII letters escaped or
    # not, by ansible-core release and locale)
    expected = "deploy failed on host1: " + attempted[0]["result"]["msg"]
    printed = (expected, json.dumps(expected)[1:-1], json.dumps(expected, ensure_ascii=False)[1:-1])
    assert any(form in play.stdout for form in printed), play.stdout
    assert "not touched, keep the version they run: host2, host3" in play.stdout, play.stdout
    # the failed host's pull failed before its old workload was touched; the later hosts were not reached
    for name in HOSTS:
        assert fleet[name].container()["Image"] == BUSYBOX
        assert fleet[name].task() == before[name]
        assert fleet[name].marker() == "v1"
