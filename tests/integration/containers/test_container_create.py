# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container module: creation, idempotence, removal — against real containerd 1.6, 1.7 and 2.x."""
from harness import corpus


def test_create_predicts_in_check_mode_then_creates_and_is_unchanged_after(container, info, containerd, namespace):
    options = dict(command=["sleep", "1000"], env={"MODE": "test"}, labels={"team": "web"}, memory="64m", cpus=0.5)
    check = container("web", check=True, diff=True, **options)
    assert check["status"] == "changed", check
    assert check["diff"] == {"before": {"state": "absent"}, "after": {"state": "present"}}
    assert check["container"]["memory"] == 64 * 1024 * 1024 and check["container"]["cpus"] == 0.5
    assert info("web") is None

    real = container("web", **options)
    assert real["status"] == "changed", real
    record = info("web")
    assert record["Spec"]["process"]["args"] == [corpus.ENTRYPOINT, "sleep", "1000"]  # the image's entrypoint stays
    assert "MODE=test" in record["Spec"]["process"]["env"]
    assert record["Labels"]["team"] == "web"
    assert record["Spec"]["linux"]["resources"]["memory"]["limit"] == 64 * 1024 * 1024
    assert record["Spec"]["linux"]["resources"]["cpu"] == {"quota": 50000, "period": 100000}
    assert real["container"] == check["container"]

    assert container("web", check=True, **options)["status"] == "ok"
    again = container("web", **options)
    assert again["status"] == "ok", again
    assert again["differences"] == []
    assert info("web")["CreatedAt"] == record["CreatedAt"]


def test_a_net_host_container_is_unchanged_on_the_second_run(container, info):
    # ctr --net-host adds HOSTNAME=<host name> to the environment by itself: that is no drift
    created = container("host-net", command=["sleep", "1000"], net_host=True, env={"MODE": "test"})
    assert created["status"] == "changed", created
    record = info("host-net")
    again = container("host-net", command=["sleep", "1000"], net_host=True, env={"MODE": "test"})
    assert again["status"] == "ok" and again["differences"] == [], again
    assert info("host-net")["CreatedAt"] == record["CreatedAt"]


def test_absent_removes_the_container_its_task_and_its_snapshot(
        container, ansible, info, tasks, containerd, namespace):
    container("web", command=["sleep", "1000"], stop_timeout=1)
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    check = container("web", state="absent", check=True)
    assert check["status"] == "changed" and "web" in tasks() and info("web") is not None

    real = container("web", state="absent")
    assert real["status"] == "changed", real
    assert real["stopped_by"] == "SIGKILL"  # sleep as PID 1 ignores SIGTERM
    assert info("web") is None and tasks() == {}
    snapshots = [line.split()[0] for line in containerd.lines("snapshots", "ls", namespace=namespace)[1:]]
    assert "web" not in snapshots

    assert container("web", state="absent", check=True)["status"] == "ok"
    assert container("web", state="absent")["status"] == "ok"
