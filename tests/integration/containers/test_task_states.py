# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""task module: start, pause/resume, graceful and forced stops, delete, log files — on 1.6, 1.7 and 2.x."""
import time

from container_workloads import GRACEFUL


def test_running_starts_the_task_and_a_second_run_is_unchanged(container, ansible, tasks):
    container("web", command=["httpd", "-f", "-p", "8080"])
    check = ansible.module("task", {"name": "web"}, check=True, diff=True)
    assert check["status"] == "changed", check
    assert check["diff"] == {"before": {"status": "absent"}, "after": {"status": "running"}}
    assert tasks() == {}

    real = ansible.module("task", {"name": "web"})
    assert real["status"] == "changed", real
    assert real["task"]["status"] == "running" and real["task"]["pid"] == tasks()["web"]["pid"]
    assert tasks()["web"]["status"] == "RUNNING"

    assert ansible.module("task", {"name": "web"}, check=True)["status"] == "ok"
    assert ansible.module("task", {"name": "web"})["status"] == "ok"


def test_a_task_ignoring_sigterm_is_stopped_with_sigkill_within_stop_timeout(container, ansible, tasks):
    container("sleeper", command="sleep 1000")
    ansible.module("task", {"name": "sleeper"})
    pid = tasks()["sleeper"]["pid"]
    check = ansible.module("task", {"name": "sleeper", "state": "stopped", "stop_timeout": 2}, check=True)
    assert check["status"] == "changed" and tasks()["sleeper"] == {"pid": pid, "status": "RUNNING"}

    real = ansible.module("task", {"name": "sleeper", "state": "stopped", "stop_timeout": 2})
    assert real["status"] == "changed", real
    assert real["stopped_by"] == "SIGKILL"
    assert real["actions"] == ["stopped task sleeper with SIGKILL"]
    assert 2 <= real["stop_seconds"] <= 2 + 1, real
    assert tasks()["sleeper"]["status"] == "STOPPED"
    assert ansible.module("task", {"name": "sleeper", "state": "stopped", "stop_timeout": 2})["status"] == "ok"
    assert ansible.module("task", {"name": "sleeper", "state": "stopped"}, check=True)["status"] == "ok"


def test_a_task_that_handles_sigterm_is_stopped_with_sigterm(container, ansible, tasks):
    container("web", command=GRACEFUL)
    ansible.module("task", {"name": "web"})
    real = ansible.module("task", {"name": "web", "state": "stopped", "stop_timeout": 10})
    assert real["status"] == "changed" and real["stopped_by"] == "SIGTERM", real
    assert tasks()["web"]["status"] == "STOPPED"


def test_pause_and_resume_are_visible_in_ctr_task_ls(container, ansible, tasks):
    container("web", command=["httpd", "-f", "-p", "8080"])
    ansible.module("task", {"name": "web"})
    check = ansible.module("task", {"name": "web", "state": "paused"}, check=True)
    assert check["status"] == "changed" and tasks()["web"]["status"] == "RUNNING"
    paused = ansible.module("task", {"name": "web", "state": "paused"})
    assert paused["status"] == "changed" and paused["task"]["status"] == "paused", paused
    assert tasks()["web"]["status"] == "PAUSED"
    assert ansible.module("task", {"name": "web", "state": "paused"}, check=True)["status"] == "ok"
    assert ansible.module("task", {"name": "web", "state": "paused"})["status"] == "ok"

    check = ansible.module("task", {"name": "web", "state": "running"}, check=True)
    assert check["status"] == "changed" and check["actions"] == ["resumed task web"]
    assert tasks()["web"]["status"] == "PAUSED"
    resumed = ansible.module("task", {"name": "web", "state": "running"})
    assert resumed["status"] == "changed" and tasks()["web"]["status"] == "RUNNING"
    assert ansible.module("task", {"name": "web", "state": "running"})["status"] == "ok"


def test_absent_deletes_the_task_and_returns_its_exit_status(container, ansible, tasks):
    container("job", command=["sh", "-c", "exit 7"])
    ansible.module("task", {"name": "job"})
    for _attempt in range(100):
        if tasks()["job"]["status"] == "STOPPED":
            break
        time.sleep(0.1)
    check = ansible.module("task", {"name": "job", "state": "absent"}, check=True)
    assert check["status"] == "changed" and "job" in tasks()
    real = ansible.module("task", {"name": "job", "state": "absent"})
    assert real["status"] == "changed", real
    assert real["task"] == {"name": "job", "pid": None, "status": "absent", "exit_status": 7}
    assert tasks() == {}
    assert ansible.module("task", {"name": "job", "state": "absent"}, check=True)["status"] == "ok"
    assert ansible.module("task", {"name": "job", "state": "absent"})["status"] == "ok"


def test_log_path_holds_the_task_output_after_it_exits(container, ansible, tasks, tmp_path):
    log = tmp_path / "job.log"
    container("job", command=["sh", "-c", "echo to-stdout; echo to-stderr >&2"])
    result = ansible.module("task", {"name": "job", "log_path": str(log)})
    assert result["status"] == "changed", result
    for _attempt in range(100):
        if tasks()["job"]["status"] == "STOPPED":
            break
        time.sleep(0.1)
    assert tasks()["job"]["status"] == "STOPPED"
    # the shim copies the output to the file on its own; the last line may land just after the exit
    for _attempt in range(50):
        if sorted(log.read_text().splitlines()) == ["to-stderr", "to-stdout"]:
            break
        time.sleep(0.1)
    assert sorted(log.read_text().splitlines()) == ["to-stderr", "to-stdout"]


def test_a_stopped_task_is_started_again_by_running(container, ansible, tasks):
    container("web", command=["httpd", "-f", "-p", "8080"])
    ansible.module("task", {"name": "web"})
    ansible.module("task", {"name": "web", "state": "stopped"})
    assert tasks()["web"]["status"] == "STOPPED"
    result = ansible.module("task", {"name": "web", "state": "running"})
    assert result["status"] == "changed" and tasks()["web"]["status"] == "RUNNING", result
