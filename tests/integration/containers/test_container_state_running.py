# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container module, state running / stopped: the container and its task in one module run, each step held to
check mode -> real run -> idempotent check and real run (harness/sequence.py)."""
from harness import images

from container_workloads import GRACEFUL


# check mode cannot know which signal will stop a task (its stop signal, or SIGKILL after stop_timeout): its
# "stopped task" action names none, so the actions of a stop are asserted apart
STOPPING = ("differences", "diff")


def observer(tasks, info, name="web"):
    """What a test can see of a container: its task row (pid, status) and when its record was created."""
    return lambda: (tasks().get(name), (info(name) or {}).get("CreatedAt"))


def test_state_running_creates_the_container_and_starts_its_task_in_one_run(ansible, busybox, tasks, info):
    args = {"name": "web", "image": busybox, "command": GRACEFUL, "state": "running"}
    done = ansible.converge("container", args, observe=observer(tasks, info), expect_diff=lambda diff: diff == {
        "before": {"state": "absent", "task": "absent"}, "after": {"state": "present", "task": "running"}})
    assert done.before == (None, None)
    assert done.check["actions"] == ["created container web", "started task web"]
    assert done.check["task"] == {"name": "web", "pid": None, "status": "running"}
    assert done.after[0]["status"] == "RUNNING" and done.real["task"]["pid"] == done.after[0]["pid"]
    assert done.real_again["task"]["status"] == "running"


def test_state_stopped_creates_the_container_without_a_task(ansible, busybox, tasks, info):
    args = {"name": "web", "image": busybox, "command": GRACEFUL, "state": "stopped"}
    done = ansible.converge("container", args, observe=observer(tasks, info))
    assert done.real["actions"] == ["created container web"] and done.real["task"] is None
    assert done.after[0] is None and done.after[1] is not None


def test_running_then_stopped_then_running_stops_gracefully_and_starts_again(ansible, busybox, tasks, info):
    args = {"name": "web", "image": busybox, "command": GRACEFUL, "stop_timeout": 10}
    ansible.module("container", dict(args, state="running"))
    created = info("web")["CreatedAt"]
    stopped = ansible.converge("container", dict(args, state="stopped"), observe=observer(tasks, info),
                               predicted=STOPPING)
    assert stopped.check["actions"] == ["stopped task web"]
    assert stopped.real["actions"] == ["stopped task web with SIGTERM"] and stopped.real["stopped_by"] == "SIGTERM"
    assert stopped.real["diff"] == {"before": {"task": "running"}, "after": {"task": "stopped"}}
    assert stopped.after == ({"pid": stopped.before[0]["pid"], "status": "STOPPED"}, created)

    started = ansible.converge("container", dict(args, state="running"), observe=observer(tasks, info))
    assert started.real["actions"] == ["started task web"]
    assert started.after[0]["status"] == "RUNNING" and started.after[1] == created


def test_a_changed_option_on_a_running_container_recreates_it_and_starts_it_again(ansible, busybox, tasks, info):
    args = {"name": "web", "image": busybox, "command": GRACEFUL, "env": {"MODE": "a"}, "state": "running"}
    ansible.module("container", args)
    before = observer(tasks, info)()
    done = ansible.converge("container", dict(args, env={"MODE": "b"}), observe=observer(tasks, info),
                            predicted=STOPPING)
    assert done.check["actions"] == ["stopped task web", "deleted task web", "deleted container web",
                                     "created container web", "started task web"]
    assert done.real["differences"] == ["env"]
    assert done.real["actions"] == ["stopped task web with SIGTERM", "deleted task web", "deleted container web",
                                    "created container web", "started task web"]
    assert "task" not in done.real["diff"]["after"]  # running before and after
    assert done.after[0]["status"] == "RUNNING" and done.after[0]["pid"] != before[0]["pid"]
    assert done.after[1] != before[1]


def test_an_image_moved_recreates_a_running_container_and_starts_it_again(
        ansible, busybox, busybox_v2_archive, containerd, namespace, tasks, info):
    args = {"name": "web", "image": busybox, "command": GRACEFUL, "state": "running"}
    ansible.module("container", args)
    images.import_image(containerd, namespace, busybox_v2_archive, busybox)
    done = ansible.converge("container", args, observe=observer(tasks, info), predicted=STOPPING)
    assert done.real["differences"] == ["image_digest"]
    assert done.real["container"]["image_digest"] == images.archive_digest(busybox_v2_archive)
    assert done.real["actions"][-2:] == ["created container web", "started task web"]
    assert done.after[0]["status"] == "RUNNING"


def test_a_changed_option_with_state_stopped_recreates_the_container_without_starting_it(
        ansible, busybox, tasks, info):
    args = {"name": "web", "image": busybox, "command": GRACEFUL, "env": {"MODE": "a"}}
    ansible.module("container", dict(args, state="running"))
    done = ansible.converge("container", dict(args, env={"MODE": "b"}, state="stopped"), observe=observer(tasks, info),
                            predicted=STOPPING)
    assert done.check["actions"] == ["stopped task web", "deleted task web", "deleted container web",
                                     "created container web"]
    assert done.real["actions"] == ["stopped task web with SIGTERM", "deleted task web", "deleted container web",
                                    "created container web"]
    assert done.real["diff"]["before"]["task"] == "running" and done.real["diff"]["after"]["task"] == "absent"
    assert done.after[0] is None
