# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converge code of the container, task and task_exec modules (_container/converge.py, task_converge.py,
exec.py) against a CtrClient whose ctr is the FakeCtr model: plain params in, an Outcome out, typed errors."""
import copy

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    ContainerNotFound,
    ExecFailed,
    ImageNotPresent,
    InvalidContainerOptions,
    TaskNotRunning,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._container import converge as container_converge
from ansible_collections.containerd.runtime.plugins.module_utils._container import exec as task_exec
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_converge
from converge_params import container
from fake_ctr import IMAGE, FakeCtr, record_for


def running(client, name, **entry):
    client.runner.records[("apps", name)] = record_for(name, dict(entry, name=name, image=IMAGE))
    client.runner.tasks[("apps", name)] = "running"


def test_validate_names_every_bad_parameter_at_once_and_leaves_the_parameters_alone(shim_dir):
    params = container(name="bad name", image=IMAGE, memory="12XB", labels={"containerd.io/restart.policy": "x"})
    before = copy.deepcopy(params)
    with pytest.raises(InvalidContainerOptions) as failed:
        container_converge.validate(params, shim_dir)
    assert "container name" in failed.value.message and "label 'containerd.io/restart.policy'" in failed.value.message
    assert params == before


def test_check_mode_predicts_a_creation_as_data_and_writes_nothing(client):
    params = container(name="web", image=IMAGE, command="sleep 1")
    plan = container_converge.validate(params, client.ctr_path)
    outcome = container_converge.converge(params, client, RunContext(check_mode=True, diff=True), plan, None)
    assert outcome.created and not outcome.started
    assert outcome.result["actions"] == ["created container web"]
    assert outcome.result["diff"] == {"before": {"state": "absent"}, "after": {"state": "present"}}
    assert client.runner.writes() == []


def test_a_running_container_that_differs_is_stopped_recreated_and_started_again(client):
    running(client, "web", env={"N": "1"})
    params = container(name="web", image=IMAGE, env={"N": "2"})
    before = copy.deepcopy(params)
    outcome = container_converge.converge(params, client, RunContext(), container_converge.validate(params, client.ctr_path),
                                          None)
    assert outcome.result["differences"] == ["env"]
    assert outcome.result["actions"] == ["stopped task web with SIGTERM", "deleted task web", "deleted container web",
                                         "created container web", "started task web"]
    assert outcome.created and outcome.started and outcome.result["stopped_by"] == "SIGTERM"
    assert params == before


def test_an_image_that_is_not_present_with_pull_never_is_not_found(client):
    client.runner.answer = lambda argv, real=client.runner.answer: (0, "REF TYPE DIGEST SIZE PLATFORMS LABELS\n", "") \
        if FakeCtr.split(argv)[1] == ["images", "ls"] else real(argv)
    params = container(name="web", image=IMAGE)
    with pytest.raises(ImageNotPresent):
        container_converge.converge(params, client, RunContext(), container_converge.validate(params, client.ctr_path), None)


def test_task_validate_returns_a_copy_with_the_signal_normalised(client):
    params = dict(name="web", state="stopped", log_path=None, signal="term", stop_timeout=None)
    assert task_converge.validate(params)["signal"] == "SIGTERM"
    assert params["signal"] == "term"


def test_a_task_is_stopped_with_the_signal_asked_for_and_the_action_says_so(client):
    running(client, "web")
    params = task_converge.validate(dict(name="web", state="stopped", log_path=None, signal="SIGINT", stop_timeout=1))
    outcome = task_converge.converge(params, client, RunContext(), None)
    assert outcome.result["actions"] == ["stopped task web with SIGINT"]
    assert outcome.result["changed"] is True and not outcome.started


def test_the_task_of_a_missing_container_is_not_found(client):
    params = dict(name="web", state="running", log_path=None, signal=None, stop_timeout=None)
    with pytest.raises(ContainerNotFound):
        task_converge.converge(params, client, RunContext(), None)


def test_exec_puts_env_in_front_of_the_command():
    params = dict(name="web", command="echo hi", env={"A": "1"}, user=None, working_dir=None, tty=False)
    assert task_exec.exec_argv(params) == ["env", "A=1", "echo", "hi"]


def test_exec_without_a_running_task_fails_naming_it_with_the_argv_in_its_details(client):
    params = dict(name="web", command=["true"], env=None, user=None, working_dir=None, tty=False)
    with pytest.raises(TaskNotRunning) as failed:
        task_exec.run_in_task(params, client, ["true"])
    assert "has no running task (no task)" in failed.value.message
    assert failed.value.details() == {"argv": ["true"]}


def test_exec_that_exits_non_zero_fails_with_its_result_in_the_details(client):
    running(client, "web")
    with pytest.raises(ExecFailed) as failed:
        task_exec.run_in_task(dict(name="web", user=None, working_dir=None, tty=False), client, ["false"])
    assert failed.value.message == "non-zero return code 1"
    assert failed.value.details()["rc"] == 1 and failed.value.details()["stderr"] == "nope\n"
