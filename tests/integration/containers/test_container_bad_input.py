# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: each a clear message (no traceback) and nothing half-done."""
import pytest

from harness.assertions import assert_clean_failure


def test_a_missing_image_with_pull_never_fails_and_creates_nothing(ansible, info, containerd, namespace):
    result = ansible.module("container", {"name": "web", "image": "docker.io/library/none:here"})
    assert_clean_failure(result, "image docker.io/library/none:here is not present", "pull: missing")
    assert info("web") is None


def test_pull_missing_from_an_unreachable_registry_fails_clearly_and_creates_nothing(ansible, info):
    result = ansible.module("container", {"name": "web", "image": "127.0.0.1:1/none:here", "pull": "missing"})
    assert result["status"] == "failed"
    assert "Traceback" not in result["msg"]
    assert info("web") is None


def test_a_mount_source_that_does_not_exist_fails_before_anything_runs(container, info, tmp_path):
    result = container("web", mounts=[{"source": str(tmp_path / "nope"), "target": "/data"}])
    assert_clean_failure(result, "mount source %s does not exist" % (tmp_path / "nope"))
    assert "cmd" not in result and info("web") is None


@pytest.mark.parametrize("memory", ["-512m", "-1", "0"])
def test_a_negative_memory_fails_before_anything_runs(container, info, memory):
    result = container("web", memory=memory)
    assert_clean_failure(result, "memory must be a positive size")
    assert info("web") is None


def test_an_unknown_runtime_fails_before_anything_runs(container, info):
    result = container("web", runtime="io.containerd.nosuch.v1")
    assert_clean_failure(result, "unknown runtime 'io.containerd.nosuch.v1'", "containerd-shim-nosuch-v1")
    assert info("web") is None


def test_a_command_missing_in_the_image_keeps_the_container_and_shows_runcs_message(container, ansible, info, tasks):
    # no entrypoint: the image's script would start and fail itself; runc is asked for the program
    assert container("web", entrypoint=[], command="no-such-program")["status"] == "changed"
    result = ansible.module("task", {"name": "web"})
    assert_clean_failure(result, "no-such-program", "executable file not found")
    assert info("web") is not None
    assert tasks() == {}


@pytest.mark.parametrize("name", ["bad name", "-web", "team/web", "a" * 77])
def test_an_illegal_container_name_fails_before_anything_runs(ansible, busybox, containerd, namespace, name):
    play = ansible.run([
        {"containerd.runtime.container": {"name": name, "image": busybox}},
        {"containerd.runtime.task": {"name": name}},
        {"containerd.runtime.task_exec": {"name": name, "command": ["true"]}},
    ])
    assert play.statuses() == ["failed"] * 3, play
    for index in range(3):
        assert_clean_failure(dict(play[index], status="failed"), "container name")
        assert "cmd" not in play[index]
    assert containerd.lines("containers", "ls", "-q", namespace=namespace) == []


def test_a_task_for_a_missing_container_fails_clearly(ansible):
    result = ansible.module("task", {"name": "ghost"})
    assert_clean_failure(result, "container ghost does not exist")


def test_bad_restart_policy_fails_before_anything_runs(container, info):
    result = container("web", restart_policy="sometimes")
    assert_clean_failure(result, "restart_policy 'sometimes'")
    assert info("web") is None


def test_hostname_and_user_work_or_fail_clearly_on_containerd_1_6(container, info, containerd):
    result = container("web", hostname="web1", user="65534:65534", command="sleep 1000")
    if containerd.version == "1.6":
        assert_clean_failure(result, "need containerd 1.7 or later")
        assert info("web") is None
        return
    assert result["status"] == "changed", result
    record = info("web")
    assert record["Spec"]["hostname"] == "web1"
    assert record["Spec"]["process"]["user"]["uid"] == 65534
    assert container("web", hostname="web1", user="65534:65534", command="sleep 1000")["status"] == "ok"
    changed = container("web", hostname="web2", user="65534:65534", command="sleep 1000")
    assert changed["differences"] == ["hostname"]
