#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: task
short_description: Start, pause, resume, stop and delete the task of a containerd container
version_added: 0.4.0
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
  - containerd.runtime.connection.converging
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

from ansible_collections.containerd.runtime.plugins.module_utils._common.module import (
    argument_spec,
    client_for,
    fail,
    run_context,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._container.task_converge import converge, validate


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
    try:
        params = validate(module.params)
        client = client_for(module)
        module.exit_json(**converge(params, client, run_context(module), module).result)
    except CollectionError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
