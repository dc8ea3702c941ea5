# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""restart_policy: containerd's own restart monitor keeps the task running; a stop through the task module
is not undone. The harness's daemons run the monitor every second (containerd's default is 10 s), so these
tests wait for up to ten of its rounds."""
import os
import signal
import time

import pytest

from harness import images
from harness.ansible import Ansible
from harness.daemon import RESTART_INTERVAL

from container_workloads import GRACEFUL

MONITOR_WAIT = 10 * RESTART_INTERVAL


def wait_for(predicate, timeout=MONITOR_WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return predicate()


def running_pid(tasks, name):
    task = tasks().get(name)
    return task["pid"] if task and task["status"] == "RUNNING" else None


def test_restart_policy_is_set_as_the_restart_monitors_label_and_is_idempotent(container, ansible, busybox, info):
    def policy_label():
        record = info("web")
        return record and record["Labels"].get("containerd.io/restart.policy")

    converged = ansible.converge("container", {"name": "web", "image": busybox, "command": "httpd -f -p 8080",
                                               "restart_policy": "always"}, observe=policy_label)
    assert (converged.before, converged.after) == (None, "always")
    changed = container("web", command="httpd -f -p 8080", restart_policy="no", diff=True)
    assert changed["differences"] == ["restart_policy"]
    assert "containerd.io/restart.policy" not in info("web")["Labels"]


def test_restart_always_brings_back_a_task_killed_from_outside(container, ansible, tasks):
    container("web", command="httpd -f -p 8080", restart_policy="always")
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    pid = running_pid(tasks, "web")
    os.kill(pid, signal.SIGKILL)
    new_pid = wait_for(lambda: running_pid(tasks, "web") not in (None, pid) and running_pid(tasks, "web"))
    assert new_pid and new_pid != pid, tasks()
    # and the task module sees it as it should be
    assert ansible.module("task", {"name": "web"})["status"] == "ok"


def test_stopping_a_task_with_restart_always_keeps_it_stopped(container, ansible, tasks, info):
    container("web", command=GRACEFUL, restart_policy="always")
    ansible.module("task", {"name": "web"})
    check = ansible.module("task", {"name": "web", "state": "stopped"}, check=True)
    assert check["status"] == "changed" and tasks()["web"]["status"] == "RUNNING"
    stopped = ansible.module("task", {"name": "web", "state": "stopped"})
    assert stopped["status"] == "changed" and stopped["stopped_by"] == "SIGTERM", stopped
    assert info("web")["Labels"]["containerd.io/restart.status"] == "stopped"
    time.sleep(3 * RESTART_INTERVAL)  # a stopped task stays stopped: three of the monitor's rounds pass
    assert tasks()["web"]["status"] == "STOPPED"
    assert ansible.module("task", {"name": "web", "state": "stopped"}, check=True)["status"] == "ok"
    assert ansible.module("task", {"name": "web", "state": "stopped"})["status"] == "ok"


@pytest.fixture
def own_daemon(containerd, daemon_factory):
    """A throwaway daemon of the same version, for a test that restarts it."""
    daemon = daemon_factory(containerd.version)
    yield daemon
    daemon.destroy()


def test_restart_always_runs_the_task_again_after_a_daemon_restart(own_daemon, namespace, busybox_archive,
                                                                   tmp_path):
    ansible = Ansible(tmp_path / "own", defaults={
        "address": own_daemon.socket, "ctr_path": own_daemon.ctr_path, "namespace": namespace})
    image = images.import_image(own_daemon, namespace, busybox_archive, "docker.io/library/busybox:test")
    play = ansible.run([
        {"containerd.runtime.container": {"name": "web", "image": image, "command": "httpd -f -p 8080",
                                          "restart_policy": "always"}},
        {"containerd.runtime.task": {"name": "web"}},
    ])
    assert play.statuses() == ["changed", "changed"], play

    def pid():
        rows = own_daemon.lines("tasks", "ls", namespace=namespace)[1:]
        for row in rows:
            name, task_pid, status = row.split()
            if name == "web" and status == "RUNNING":
                return int(task_pid)
        return None

    old = pid()
    assert old
    # the daemon goes down (as in a crash or reboot) and the workload with it
    own_daemon.kill()
    os.kill(old, signal.SIGKILL)
    own_daemon.start()
    new = wait_for(lambda: pid() not in (None, old) and pid())
    assert new and new != old
    assert ansible.run([{"containerd.runtime.task": {"name": "web"}}]).statuses() == ["ok"]
