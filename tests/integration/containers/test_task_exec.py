# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""task_exec module: runs a command in the running task; changed like ansible.builtin.command."""
import pytest

from harness.assertions import assert_clean_failure


@pytest.fixture
def running(container, ansible):
    container("web", command=["httpd", "-f", "-p", "8080"])
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    return "web"


def test_exec_returns_the_commands_rc_and_stdout(ansible, running):
    result = ansible.module("task_exec", {"name": running, "command": ["sh", "-c", "echo hi; exit 3"]})
    assert result["status"] == "failed"
    assert result["rc"] == 3 and result["stdout"] == "hi\n" and result["stdout_lines"] == ["hi"]
    assert "non-zero return code 3" in result["msg"]


def test_a_successful_exec_is_changed_and_splits_a_string_command(ansible, running):
    result = ansible.module("task_exec", {"name": running, "command": "sh -c 'echo out; echo err >&2'"})
    assert result["status"] == "changed", result
    assert result["rc"] == 0 and result["stdout"] == "out\n" and result["stderr"] == "err\n"


def test_exec_ids_are_unique_per_run(ansible, running):
    play = ansible.run([{"containerd.runtime.task_exec": {"name": running, "command": ["true"]}}] * 2)
    assert play.statuses() == ["changed", "changed"], play
    assert play[0]["exec_id"] != play[1]["exec_id"]


def test_exec_is_skipped_in_check_mode(ansible, running, tmp_path):
    result = ansible.module("task_exec", {"name": running, "command": ["touch", "/tmp/ran"]}, check=True)
    assert result["status"] == "skipped", result
    after = ansible.module("task_exec", {"name": running, "command": ["test", "-e", "/tmp/ran"]})
    assert after["rc"] == 1


def test_exec_sets_env_user_and_working_dir(ansible, running):
    result = ansible.module("task_exec", {"name": running, "command": ["sh", "-c", 'echo "$GREETING $(id -u) $(pwd -P)"'],
                                          "env": {"GREETING": "hello"}, "user": "65534", "working_dir": "/var/www"})
    assert result["status"] == "changed", result
    assert result["stdout"] == "hello 65534 /var/www\n"


def test_a_command_missing_in_the_image_fails_with_runcs_message(ansible, running):
    result = ansible.module("task_exec", {"name": running, "command": ["no-such-program"]})
    assert_clean_failure(result, "no-such-program")
    assert "executable file not found" in result["msg"]


def test_exec_without_a_running_task_fails_clearly(container, ansible):
    container("idle", command=["sleep", "1000"])
    result = ansible.module("task_exec", {"name": "idle", "command": ["true"]})
    assert_clean_failure(result, "has no running task")


def test_output_that_is_not_utf8_comes_back_with_the_bad_bytes_replaced(ansible, running):
    result = ansible.module("task_exec", {"name": running, "command": ["printf", "a\\377b\\n"]})
    assert result["status"] == "changed", result
    assert result["stdout"] == "a\ufffdb\n"


def test_a_tty_exec_is_refused_before_the_command_runs(ansible, running):
    result = ansible.module("task_exec", {"name": running, "command": ["touch", "/tmp/tty-ran"], "tty": True})
    assert_clean_failure(result, "tty")
    assert ansible.module("task_exec", {"name": running, "command": ["test", "-e", "/tmp/tty-ran"]})["rc"] == 1
