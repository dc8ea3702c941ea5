# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""task module: start, pause/resume, graceful and forced stops, delete, log files — on 1.6, 1.7 and 2.x."""
import time

from container_workloads import GRACEFUL


def test_running_starts_the_task_and_a_second_run_is_unchanged(container, ansible, tasks):
    container("web", command=["httpd", "-f", "-p", "8080"])
    converged = ansible.converge("task", {"name": "web"}, observe=tasks,
                                 expect_diff={"before": {"status": "absent"}, "after": {"status": "running"}})
    assert converged.before == {}
    assert converged.after["web"]["status"] == "RUNNING"
    assert converged.real["task"]["status"] == "running" and converged.real["task"]["pid"] == converged.after["web"]["pid"]


def test_a_task_ignoring_sigterm_is_stopped_with_sigkill_within_stop_timeout(container, ansible, tasks):
    container("sleeper", command="sleep 1000")
    ansible.module("task", {"name": "sleeper"})
    pid = tasks()["sleeper"]["pid"]
    # check mode cannot know how the task will stop: the real run's actions say "... with SIGKILL"
    converged = ansible.converge("task", {"name": "sleeper", "state": "stopped", "stop_timeout": 2},
                                 observe=tasks, predicted=("differences", "diff"))
    assert converged.before == {"sleeper": {"pid": pid, "status": "RUNNING"}}
    assert converged.real["stopped_by"] == "SIGKILL"
    assert converged.real["actions"] == ["stopped task sleeper with SIGKILL"]
    assert 2 <= converged.real["stop_seconds"] <= 2 + 1, converged.real
    assert converged.after["sleeper"]["status"] == "STOPPED"
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

    def status():
        return tasks()["web"]["status"]

    paused = ansible.converge("task", {"name": "web", "state": "paused"}, observe=status)
    assert (paused.before, paused.after) == ("RUNNING", "PAUSED")
    assert paused.real["task"]["status"] == "paused", paused.real

    resumed = ansible.converge("task", {"name": "web", "state": "running"}, observe=status)
    assert (resumed.before, resumed.after) == ("PAUSED", "RUNNING")
    assert resumed.check["actions"] == ["resumed task web"]


def test_absent_deletes_the_task_and_returns_its_exit_status(container, ansible, tasks):
    container("job", command=["sh", "-c", "exit 7"])
    ansible.module("task", {"name": "job"})
    for _attempt in range(100):
        if tasks()["job"]["status"] == "STOPPED":
            break
        time.sleep(0.1)
    converged = ansible.converge("task", {"name": "job", "state": "absent"}, observe=lambda: sorted(tasks()))
    assert (converged.before, converged.after) == (["job"], [])
    assert converged.real["task"] == {"name": "job", "pid": None, "status": "absent", "exit_status": 7}


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
