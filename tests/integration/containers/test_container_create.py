# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container module: creation, idempotence, removal — against real containerd 1.6, 1.7 and 2.x."""
from harness import corpus


def test_create_predicts_in_check_mode_then_creates_and_is_unchanged_after(ansible, busybox, info):
    options = dict(name="web", image=busybox, command=["sleep", "1000"], env={"MODE": "test"},
                   labels={"team": "web"}, memory="64m", cpus=0.5)
    converged = ansible.converge("container", options, observe=lambda: info("web"),
                                 expect_diff={"before": {"state": "absent"}, "after": {"state": "present"}})
    assert converged.before is None
    assert converged.check["container"]["memory"] == 64 * 1024 * 1024 and converged.check["container"]["cpus"] == 0.5
    assert converged.real["container"] == converged.check["container"]

    record = converged.after
    assert record["Spec"]["process"]["args"] == [corpus.ENTRYPOINT, "sleep", "1000"]  # the image's entrypoint stays
    assert "MODE=test" in record["Spec"]["process"]["env"]
    assert record["Labels"]["team"] == "web"
    assert record["Spec"]["linux"]["resources"]["memory"]["limit"] == 64 * 1024 * 1024
    assert record["Spec"]["linux"]["resources"]["cpu"] == {"quota": 50000, "period": 100000}


def test_a_net_host_container_is_unchanged_on_the_second_run(container, info):
    # ctr --net-host adds HOSTNAME=<host name> to the environment by itself: that is no drift
    created = container("host-net", command=["sleep", "1000"], net_host=True, env={"MODE": "test"})
    assert created["status"] == "changed", created
    record = info("host-net")
    again = container("host-net", command=["sleep", "1000"], net_host=True, env={"MODE": "test"})
    assert again["status"] == "ok" and again["differences"] == [], again
    assert info("host-net")["CreatedAt"] == record["CreatedAt"]


def test_absent_removes_the_container_its_task_and_its_snapshot(
        container, ansible, busybox, info, tasks, containerd, namespace):
    container("web", command=["sleep", "1000"], stop_timeout=1)
    assert ansible.module("task", {"name": "web"})["status"] == "changed"

    # check mode cannot know how the task will stop: the real run's actions say "... with SIGKILL"
    converged = ansible.converge("container", {"name": "web", "image": busybox, "state": "absent"},
                                 observe=lambda: (info("web") is not None, sorted(tasks())),
                                 predicted=("differences", "diff"))
    assert converged.before == (True, ["web"]) and converged.after == (False, [])
    assert converged.real["stopped_by"] == "SIGKILL"  # sleep as PID 1 ignores SIGTERM
    snapshots = [line.split()[0] for line in containerd.lines("snapshots", "ls", namespace=namespace)[1:]]
    assert "web" not in snapshots
