# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converging one container's task: the logic of the ``task`` module, shared with the ``workloads`` module.

``module`` is the AnsibleModule of the ``task`` module, or an object with the same ``params``, ``check_mode``,
``_diff`` and ``fail_json``.
"""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._container import network as container_network
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_control
from ansible_collections.containerd.runtime.plugins.module_utils._container.spec import (
    RESTART_STATUS_LABEL,
    normalize_signal,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ContainerNotFound, InvalidContainerOptions

RUNNING = ("running", "pausing")
PAUSED = ("paused",)


def validate(module):
    params = module.params
    errors = []
    message = identifier_error(params["name"], "container name")
    if message:
        errors.append(message)
    if params["log_path"]:
        if not params["log_path"].startswith("/"):
            errors.append("log_path must be an absolute path, got %s" % params["log_path"])
        if "," in params["log_path"]:
            errors.append("log_path must not contain ','")
    if params["stop_timeout"] is not None and params["stop_timeout"] < 0:
        errors.append("stop_timeout must not be negative, got %s" % params["stop_timeout"])
    if params["signal"]:
        try:
            params["signal"] = normalize_signal(params["signal"])
        except InvalidContainerOptions as error:
            errors.append("signal: %s" % error.message)
    if errors:
        module.fail_json(msg="; ".join(errors))


def status_of(task):
    return task["status"] if task else "absent"


def converge(module, client):
    params = module.params
    name = params["name"]
    state = params["state"]
    record = client.container_info(name)
    if record is None:
        raise ContainerNotFound("container %s does not exist in namespace %s: create it first "
                                   "(containerd.runtime.container)" % (name, client.namespace))
    task = client.task(name)
    before = status_of(task)
    actions = []
    result = dict(stopped_by=None, stop_seconds=None, actions=actions)
    check = module.check_mode
    exit_status = None

    if state in ("running", "paused"):
        if before in RUNNING + PAUSED:
            if before in PAUSED and state == "running":
                actions.append("resumed task %s" % name)
                if not check:
                    client.resume_task(name)
            if task_control.monitored(record) and \
                    task_control.labels_of(record).get(RESTART_STATUS_LABEL) != "running":
                actions.append("told the restart monitor to keep task %s running" % name)
                if not check:
                    client.label_container(name, {RESTART_STATUS_LABEL: "running"})
        else:
            actions += container_network.reattach(module, record, check)
            actions.append("started task %s" % name)
            if not check:
                log_uri = "file://" + params["log_path"] if params["log_path"] else None
                task_control.start(client, name, record, log_uri)
        if state == "paused" and before not in PAUSED:
            actions.append("paused task %s" % name)
            if not check:
                client.pause_task(name)
    else:
        if before in RUNNING + PAUSED:
            actions.append("stopped task %s" % name)
            if not check:
                result["stopped_by"], result["stop_seconds"] = task_control.stop(
                    client, name, record, params["signal"], params["stop_timeout"])
                actions[-1] += " with %s" % result["stopped_by"]
        elif task_control.labels_of(record).get(RESTART_STATUS_LABEL) == "running":
            # the process died on its own; the restart monitor would bring it back
            actions.append("told the restart monitor to keep task %s stopped" % name)
            if not check:
                client.label_container(name, {RESTART_STATUS_LABEL: "stopped"})
        if state == "absent" and before != "absent":
            actions.append("deleted task %s" % name)
            if not check:
                exit_status = task_control.remove_task(client, name)

    after_status = {"running": "running", "paused": "paused", "stopped": "stopped", "absent": "absent"}[state]
    if state == "stopped" and before == "absent":
        after_status = "absent"  # nothing to stop: no task is not turned into a stopped one
    differences = Differences()
    differences.compare("status", before, after_status)
    if check:
        after = None if after_status == "absent" else {"name": name, "pid": task["pid"] if task else None,
                                                       "status": after_status}
    else:
        current = client.task(name)
        after = dict(current) if current else None
        if after is not None and after["status"] == "pausing":
            after["status"] = "paused"
    if exit_status is not None:
        after = {"name": name, "pid": None, "status": "absent", "exit_status": exit_status}
    result.update(changed=bool(actions), task=after)
    if module._diff:
        result["diff"] = differences.diff()
    return result
