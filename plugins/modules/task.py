#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: task
short_description: Start, pause, resume, stop and delete the task of a containerd container
version_added: 0.2.0
description:
  - Manages the running process (the task) of a container created with M(containerd.runtime.container)
    (C(ctr tasks start|pause|resume|kill|delete)).
  - Stops are graceful and sure. The stop signal is sent, the module waits up to O(stop_timeout) seconds,
    then sends SIGKILL; RV(stopped_by) reports which signal it took. A process that ignores SIGTERM (like C(sleep) as PID 1) is
    therefore still stopped.
  - With a restart policy on the container (containerd's restart monitor), V(running) tells the monitor to
    keep the task running, and V(stopped) / V(absent) tell it to leave the task stopped, so a stop is not
    undone by the monitor.
  - For a container on CNI networks (O(containerd.runtime.container#module:networks)), the network namespace is
    re-created and re-attached before the task starts when it is gone or unhealthy (after a reboot, C(/run) is
    empty); the networks come from the container's C(containerd.runtime/networks) label. This needs pyroute2.
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description: Name of the container whose task this is. The container must exist.
    type: str
    required: true
  state:
    description:
      - V(running) starts the task (from no task, or a stopped one, which is deleted first) or resumes a
        paused one.
      - V(paused) pauses a running task (starting it first if needed).
      - V(stopped) stops a running or paused task and keeps its record (C(ctr tasks ls) shows it STOPPED).
      - V(absent) stops the task as above and deletes it; RV(task.exit_status) is its exit status.
    type: str
    choices: [running, paused, stopped, absent]
    default: running
  log_path:
    description:
      - Absolute path of a file on the host that receives the task's stdout and stderr (C(ctr tasks start
        --log-uri file://...)), so a detached task's output is not lost. Without it the output is discarded.
      - Only used when the task is started. The restart monitor uses it too when it restarts the task.
    type: path
  signal:
    description:
      - Signal that stops the task; default the container's stop signal (see M(containerd.runtime.container)
        O(containerd.runtime.container#module:stop_signal)), else V(SIGTERM).
    type: str
  stop_timeout:
    description:
      - Seconds to wait after O(signal) before sending SIGKILL; default the container's
        O(containerd.runtime.container#module:stop_timeout), else 10.
    type: int
seealso:
  - module: containerd.runtime.container
  - module: containerd.runtime.task_exec
"""

EXAMPLES = r"""
- name: Start the web container's task, its output in a log file
  containerd.runtime.task:
    name: web
    state: running
    log_path: /var/log/web.log

- name: Pause it
  containerd.runtime.task:
    name: web
    state: paused

- name: Stop it, SIGKILL after 5 seconds if SIGTERM is not enough
  containerd.runtime.task:
    name: web
    state: stopped
    stop_timeout: 5
  register: stopped

- name: Delete the task
  containerd.runtime.task:
    name: web
    state: absent
"""

RETURN = r"""
task:
  description: The task after the module ran (its prediction in check mode); V(null) when it has none.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the container.
      type: str
    pid:
      description: PID of the task's process on the host (V(null) when predicted or deleted).
      type: int
    status:
      description: V(running), V(paused), V(stopped) or V(absent).
      type: str
    exit_status:
      description: Exit status of the process, when the module deleted the task.
      type: int
      returned: when the task was deleted
  sample: {"name": "web", "pid": 4242, "status": "running"}
stopped_by:
  description: The signal that stopped the task (for example V(SIGTERM), or V(SIGKILL) when the stop signal
    was not enough within O(stop_timeout)); V(null) when nothing was stopped.
  returned: always
  type: str
  sample: SIGKILL
stop_seconds:
  description: Seconds from the first signal until the task was stopped; V(null) when nothing was stopped.
  returned: always
  type: float
  sample: 10.4
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: str
  sample: ["started task web"]
diff:
  description: Before and after of the task's status.
  returned: when diff mode is on
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils import container_network
from ansible_collections.containerd.runtime.plugins.module_utils import task_control
from ansible_collections.containerd.runtime.plugins.module_utils.common import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils.container_spec import (
    RESTART_STATUS_LABEL,
    InvalidContainerSpec,
    normalize_signal,
)
from ansible_collections.containerd.runtime.plugins.module_utils.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils.errors import ContainerdError
from ansible_collections.containerd.runtime.plugins.module_utils.identifiers import identifier_error

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
        except InvalidContainerSpec as error:
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
        raise InvalidContainerSpec("container %s does not exist in namespace %s: create it first "
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


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            state=dict(type="str", default="running", choices=["running", "paused", "stopped", "absent"]),
            log_path=dict(type="path"),
            signal=dict(type="str"),
            stop_timeout=dict(type="int"),
        ),
        supports_check_mode=True,
    )
    validate(module)
    client = client_for(module)
    try:
        module.exit_json(**converge(module, client))
    except ContainerdError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
