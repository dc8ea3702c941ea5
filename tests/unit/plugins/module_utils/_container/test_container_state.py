# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The container module's state running / stopped (_container/converge.py with the task converge code) against
the FakeCtr model, and the ctr processes one no-op run costs per containerd version."""
from collections import Counter

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidContainerOptions
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._container import converge as container_converge
from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
import converge_params
from fake_ctr import IMAGE, FakeCtr, record_for


def container(**params):
    return converge_params.container(**dict(dict(name="web", image=IMAGE), **params))


def existing(client, status=None, **entry):
    client.runner.records[("apps", "web")] = record_for("web", dict(entry, name="web", image=IMAGE))
    if status:
        client.runner.tasks[("apps", "web")] = status


def converge(client, check=False, **params):
    params = container(**params)
    return container_converge.converge(params, client, RunContext(check_mode=check, diff=True),
                                       container_converge.validate(params, client.ctr_path), None).result


def commands(client):
    return [FakeCtr.split(argv)[1][:2] for argv in client.runner.calls]


def test_running_creates_the_container_and_starts_its_task_in_one_run(client):
    result = converge(client, state="running")
    assert result["actions"] == ["created container web", "started task web"]
    assert result["task"]["status"] == "running" and result["changed"] is True
    assert result["diff"] == {"before": {"state": "absent", "task": "absent"},
                              "after": {"state": "present", "task": "running"}}


def test_check_mode_predicts_the_creation_and_the_start_and_writes_nothing(client):
    result = converge(client, check=True, state="running")
    assert result["actions"] == ["created container web", "started task web"]
    assert result["task"] == {"name": "web", "pid": None, "status": "running"}
    assert client.runner.writes() == []


def test_running_starts_the_stopped_task_of_a_container_that_does_not_differ(client):
    existing(client, "stopped")
    result = converge(client, state="running")
    assert result["actions"] == ["started task web"]
    assert result["differences"] == [] and result["diff"]["after"] == {"task": "running"}


def test_stopped_stops_a_running_task_and_keeps_the_container(client):
    existing(client, "running")
    result = converge(client, state="stopped")
    assert result["actions"] == ["stopped task web with SIGTERM"] and result["stopped_by"] == "SIGTERM"
    assert result["task"]["status"] == "stopped" and ("apps", "web") in client.runner.records


def test_a_recreation_with_state_stopped_does_not_start_the_task_again(client):
    existing(client, "running", env={"N": "1"})
    result = converge(client, state="stopped", env={"N": "2"})
    assert result["actions"] == ["stopped task web with SIGTERM", "deleted task web", "deleted container web",
                                 "created container web"]
    assert result["task"] is None and ("apps", "web") not in client.runner.tasks
    assert result["diff"]["before"]["task"] == "running" and result["diff"]["after"]["task"] == "absent"


def test_a_paused_task_of_a_recreated_container_is_not_paused_again_with_state_running(client):
    existing(client, "paused", env={"N": "1"})
    result = converge(client, state="running", env={"N": "2"})
    assert result["actions"][-1] == "started task web" and "paused task web" not in result["actions"]


# ---- ctr processes of a no-op run --------------------------------------------------------------------------
# The container was made from the image's present digest: the image config it keeps in a label is the
# baseline, the image's config is not read (no content get).
NOOP = {
    "present": Counter({("containers", "info"): 1, ("images", "ls"): 1}),
    "running": Counter({("containers", "info"): 1, ("images", "ls"): 1, ("tasks", "ls"): 1}),
    "stopped": Counter({("containers", "info"): 1, ("images", "ls"): 1, ("tasks", "ls"): 1}),
}


@pytest.mark.parametrize("state", sorted(NOOP))
def test_a_no_op_run_costs_a_fixed_set_of_ctr_processes_and_no_version_call(client, captured, state):
    existing(client, "stopped" if state == "stopped" else "running")
    client.runner.answer = lambda argv, real=client.runner.answer: (0, captured("version.txt"), "") \
        if FakeCtr.split(argv)[1] == ["version"] else real(argv)
    result = converge(client, state=state)
    assert result["changed"] is False and result["actions"] == []
    assert Counter(tuple(command) for command in commands(client)) == NOOP[state]


def test_a_version_gated_option_asks_ctr_version_once(client, captured):
    if captured.version == "1.6":
        pytest.skip("ctr 1.6 cannot set a user")
    existing(client, "running", user="1000")
    client.runner.answer = lambda argv, real=client.runner.answer: (0, captured("version.txt"), "") \
        if FakeCtr.split(argv)[1] == ["version"] else real(argv)
    converge(client, state="running", user="1000")
    assert commands(client).count(["version"]) == 1


# ---- the image config a container keeps --------------------------------------------------------------------

def test_a_created_container_keeps_the_image_config_it_inherited_in_a_label(client):
    converge(client, state="present")
    labels = client.runner.records[("apps", "web")]["Labels"]
    kept = spec.image_from_record({"Labels": labels}, IMAGE, labels[spec.IMAGE_DIGEST_LABEL])
    assert kept["config"] == {"config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]}}


def test_the_image_config_is_read_when_the_image_moved_since_the_container_was_made(client):
    existing(client, "running")
    client.runner.records[("apps", "web")]["Labels"][spec.IMAGE_DIGEST_LABEL] = "sha256:" + "9" * 64
    result = converge(client, state="running")
    assert result["differences"] == ["image_digest"]
    assert ["content", "get"] in commands(client)


def test_a_kept_image_config_that_does_not_decode_is_ignored_and_the_config_read(client):
    existing(client, "running")
    client.runner.records[("apps", "web")]["Labels"][spec.IMAGE_CONFIG_LABEL] = "not base64!"
    result = converge(client, state="running")
    assert result["changed"] is False and ["content", "get"] in commands(client)


def test_an_image_config_too_large_for_a_label_is_not_kept():
    image = {"name": IMAGE, "digest": "sha256:" + "1" * 64,
             "config": {"config": {"Labels": dict(("k%d" % n, "v" * 40) for n in range(200))}}}
    assert spec.image_config_label(image) == {}


CTR_2_4 = "Client:\n  Version:  v2.4.0\n\nServer:\n  Version:  v2.4.0\n"


def a_mount(tmp_path):
    return [dict(type="bind", source=str(tmp_path), target="/data", read_only=False, options=None)]


def test_check_mode_fails_as_the_real_run_on_a_mount_ctr_2_4_would_cut(client, tmp_path):
    client.runner.version = CTR_2_4
    with pytest.raises(InvalidContainerOptions, match="^mounts: ctr 2.4 splits"):
        converge(client, check=True, state="running", mounts=a_mount(tmp_path))
    assert client.runner.writes() == []


def test_a_recreation_ctr_2_4_would_refuse_fails_before_the_old_container_is_removed(client, tmp_path):
    existing(client, "running")
    client.runner.version = CTR_2_4
    with pytest.raises(InvalidContainerOptions, match="^mounts: "):
        converge(client, state="running", mounts=a_mount(tmp_path))
    assert client.runner.writes() == []
    assert ("apps", "web") in client.runner.records
