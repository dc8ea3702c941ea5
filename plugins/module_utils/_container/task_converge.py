# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converging one container's task: the logic of the ``task`` module, shared with the ``workloads`` module.

``params`` are the ``task`` module's parameters (as ``validate`` returns them), ``client`` a CtrClient (or the
workloads batch's read cache), ``run`` the RunContext, ``commands`` runs CNI plugins (see ``network.py``).
"""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._container import network as container_network
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_control
from ansible_collections.containerd.runtime.plugins.module_utils._container.actions import Actions, Outcome
from ansible_collections.containerd.runtime.plugins.module_utils._container.spec import (
    RESTART_STATUS_LABEL,
    normalize_signal,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ContainerNotFound, InvalidContainerOptions

RUNNING = ("running", "pausing")
PAUSED = ("paused",)


def validate(params):
    """The parameters with ``signal`` normalised (a copy); InvalidContainerOptions naming every bad one."""
    params = dict(params)
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
        raise InvalidContainerOptions("; ".join(errors))
    return params


def status_of(task):
    return task["status"] if task else "absent"


def converge(params, client, run, commands, record=None):
    """Converge the task of container ``params["name"]``; returns an Outcome.

    ``record``: the container record when the caller has just read it (the ``container`` module), so that it is
    not read twice; by default it is read here."""
    name = params["name"]
    state = params["state"]
    if record is None:
        record = client.container_info(name)
    if record is None:
        raise ContainerNotFound("container %s does not exist in namespace %s: create it first "
                                "(containerd.runtime.container)" % (name, client.namespace))
    task = client.task(name)
    before = status_of(task)
    actions = Actions()
    result = dict(stopped_by=None, stop_seconds=None)
    check = run.check_mode
    exit_status = None

    if state in ("running", "paused"):
        if before in RUNNING + PAUSED:
            if before in PAUSED and state == "running":
                actions.add("resumed_task", name)
                if not check:
                    client.resume_task(name)
            if task_control.monitored(record) and \
                    task_control.labels_of(record).get(RESTART_STATUS_LABEL) != "running":
                actions.add("monitor_keeps_running", name)
                if not check:
                    client.label_container(name, {RESTART_STATUS_LABEL: "running"})
        else:
            actions.network(container_network.reattach(commands, record, check))
            actions.add("started_task", name)
            if not check:
                log_uri = "file://" + params["log_path"] if params["log_path"] else None
                task_control.start(client, name, record, log_uri)
        if state == "paused" and before not in PAUSED:
            actions.add("paused_task", name)
            if not check:
                client.pause_task(name)
    else:
        if before in RUNNING + PAUSED:
            stop = actions.add("stopped_task", name)
            if not check:
                result["stopped_by"], result["stop_seconds"] = task_control.stop(
                    client, name, record, params["signal"], params["stop_timeout"])
                stop["signal"] = result["stopped_by"]
        elif task_control.labels_of(record).get(RESTART_STATUS_LABEL) == "running":
            # the process died on its own; the restart monitor would bring it back
            actions.add("monitor_keeps_stopped", name)
            if not check:
                client.label_container(name, {RESTART_STATUS_LABEL: "stopped"})
        if state == "absent" and before != "absent":
            actions.add("deleted_task", name)
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
        current = client.task(name) if actions else task  # nothing done: the task is as it was read
        after = dict(current) if current else None
        if after is not None and after["status"] == "pausing":
            after["status"] = "paused"
    if exit_status is not None:
        after = {"name": name, "pid": None, "status": "absent", "exit_status": exit_status}
    result.update(changed=bool(actions), task=after)
    if run.diff:
        result["diff"] = differences.diff()
    return Outcome(result, actions)
