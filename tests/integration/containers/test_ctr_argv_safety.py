# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Arguments that look like ctr flags reach the container unchanged, and the modules work with a ctr binary of
another release than the daemon's (a distribution's ctr 1.6 against a 2.x daemon, a 2.x ctr against 1.6).

The argv shapes per release are unit-tested (tests/unit/plugins/module_utils/_ctr/test_argv_safety.py); here
they meet real ctr binaries and daemons.
"""
import time

import pytest

from harness import binaries
from harness.assertions import assert_clean_failure

LOOKS_LIKE_FLAGS = "echo --rm --help -c"
ARGS = ["--rm", "--help", "-c", "--replace-all=true"]
# the ctr client each daemon is driven with: one release older or newer than the daemon
OTHER_CTR = {"1.6": "2.x", "1.7": "1.6", "2.x": "1.6"}


def wait_for(predicate, attempts=100):
    for _attempt in range(attempts):
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def other_ctr(containerd):
    """The ctr binary of another release than ``containerd``'s (see OTHER_CTR)."""
    return str(binaries.containerd_bin_dir(OTHER_CTR[containerd.version]) / "ctr")


@pytest.fixture
def running(container, ansible):
    def start(ctr_path=None):
        connection = {"ctr_path": ctr_path} if ctr_path else {}
        created = container("web", command=["sleep", "1000"], **connection)
        assert created["status"] == "changed", created
        started = ansible.module("task", dict({"name": "web"}, **connection))
        assert started["status"] == "changed", started
        return "web"
    return start


def test_a_container_command_that_looks_like_ctr_flags_runs_unchanged(container, ansible, tasks, info, tmp_path):
    log = tmp_path / "job.log"
    created = container("job", command=["sh", "-c", LOOKS_LIKE_FLAGS])
    assert created["status"] == "changed", created
    assert info("job")["Spec"]["process"]["args"][-3:] == ["sh", "-c", LOOKS_LIKE_FLAGS]
    started = ansible.module("task", {"name": "job", "log_path": str(log)})
    assert started["status"] == "changed", started
    assert wait_for(lambda: tasks()["job"]["status"] == "STOPPED")
    # the shim copies the output to the file on its own; the line may land just after the exit
    assert wait_for(lambda: log.read_text() == "--rm --help -c\n"), log.read_text()


def test_exec_arguments_that_look_like_ctr_flags_reach_the_process_unchanged(ansible, running):
    name = running()
    result = ansible.module("task_exec", {"name": name, "command": ["sh", "-c", 'printf "%s\\n" "$@"', "sh"] + ARGS})
    assert result["status"] == "changed", result
    assert result["stdout_lines"] == ARGS


def test_a_label_key_that_starts_with_a_dash_is_refused_before_anything_runs(container, info):
    result = container("web", command=["sleep", "1000"], labels={"--replace-all": "true"})
    assert_clean_failure(result, "labels", "must not start with '-'")
    assert info("web") is None


# ---- a ctr client of another release than the daemon --------------------------------------------------------

def test_an_image_is_imported_with_a_ctr_of_another_release(ansible, containerd, namespace, busybox_archive, other_ctr):
    result = ansible.module("image", {"name": "busybox:test", "source": "import", "archive_path": str(busybox_archive),
                                      "ctr_path": other_ctr})
    assert result["status"] == "changed", result
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == ["docker.io/library/busybox:test"]


def test_a_container_is_created_and_started_with_a_ctr_of_another_release(running, tasks, info, other_ctr):
    name = running(other_ctr)
    assert info(name)["Spec"]["process"]["args"][-2:] == ["sleep", "1000"]
    assert tasks()[name]["status"] == "RUNNING"


def test_exec_runs_with_a_ctr_of_another_release(ansible, running, other_ctr):
    name = running()
    result = ansible.module("task_exec", {"name": name, "command": ["sh", "-c", 'printf "%s\\n" "$@"', "sh"] + ARGS,
                                          "ctr_path": other_ctr})
    assert result["status"] == "changed", result
    assert result["stdout_lines"] == ARGS
