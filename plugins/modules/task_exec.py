#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: task_exec
short_description: Run a command in the running task of a containerd container
version_added: 0.4.0
description:
  - Runs a command as an extra process in a container's running task (C(ctr tasks exec --exec-id ...)) and
    returns its exit status, stdout and stderr. Each run uses a new, unique exec ID.
  - Like M(ansible.builtin.command), the module cannot know what the command changes, so it always reports
    C(changed) when the command ran; use C(changed_when) to say otherwise. A non-zero exit status fails the
    task (use C(failed_when) or C(ignore_errors) to accept it); RV(rc), RV(stdout) and RV(stderr) are returned
    either way.
  - In check mode the command does not run and the task is reported as skipped.
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
attributes:
  check_mode:
    support: partial
    details: The command is never run in check mode; the task is reported as skipped.
  diff_mode:
    support: none
options:
  name:
    description: Name of the container; its task must be running.
    type: str
    required: true
  command:
    description:
      - The command, as an argv list, or a string split like a POSIX shell would (no shell runs it; use
        V([sh, -c, "..."]) for shell syntax).
    type: raw
    required: true
  env:
    description:
      - Extra environment variables for the command, on top of the container's.
      - C(ctr tasks exec) cannot set variables itself, so the command is run through the image's C(env)
        program (C(env NAME=value ... command)); the image must have C(env) in its E(PATH).
    type: dict
  user:
    description: User to run the command as (name or uid); default the container's user.
    type: str
  working_dir:
    description: Working directory of the command; default the container's.
    type: str
  tty:
    description: Allocate a terminal for the command.
    type: bool
    default: false
notes:
  - stdin of the command is empty.
  - On a heavily loaded host, C(ctr) can lose output that a process writes just before it exits (containerd
    cancels the copy of the output when the process is reaped); a command whose output matters should not
    exit the instant it has written it.
seealso:
  - module: ansible.builtin.command
  - module: containerd.runtime.task
"""

EXAMPLES = r"""
- name: Ask the web container for its config
  containerd.runtime.task_exec:
    name: web
    command: [cat, /etc/httpd.conf]
  register: config
  changed_when: false

- name: A shell pipeline, with an extra variable
  containerd.runtime.task_exec:
    name: web
    command: [sh, -c, 'echo "$GREETING" > /tmp/greeting']
    env:
      GREETING: hello
"""

RETURN = r"""
rc:
  description: Exit status of the command.
  returned: when the command ran
  type: int
  sample: 0
stdout:
  description: What the command wrote to stdout.
  returned: when the command ran
  type: str
  sample: hi
stderr:
  description: What the command wrote to stderr.
  returned: when the command ran
  type: str
  sample: ""
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when the command ran
  type: list
  elements: str
stderr_lines:
  description: RV(stderr) split into lines.
  returned: when the command ran
  type: list
  elements: str
exec_id:
  description: The exec ID the command ran under.
  returned: when the command ran
  type: str
  sample: ansible-3f2a9c1e0b7d4e65
argv:
  description: The command as run (after splitting, with the C(env) prefix when O(env) is set).
  returned: always
  type: list
  elements: str
"""

import uuid

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils.common import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils.container_spec import (
    InvalidContainerSpec,
    split_command,
)
from ansible_collections.containerd.runtime.plugins.module_utils.errors import ContainerdError
from ansible_collections.containerd.runtime.plugins.module_utils.identifiers import identifier_error


def build_argv(module):
    errors = []
    message = identifier_error(module.params["name"], "container name")
    if message:
        errors.append(message)
    argv = []
    try:
        argv = split_command(module.params["command"])
    except InvalidContainerSpec as error:
        errors.append(error.message)
    env = module.params["env"] or {}
    for key in env:
        if not key or "=" in key:
            errors.append("env name %r must not be empty or contain '='" % key)
    if errors:
        module.fail_json(msg="; ".join(errors))
    if env:
        argv = ["env"] + ["%s=%s" % (key, "" if value is None else value) for key, value in env.items()] + argv
    return argv


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            command=dict(type="raw", required=True),
            env=dict(type="dict"),
            user=dict(type="str"),
            working_dir=dict(type="str"),
            tty=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    argv = build_argv(module)
    if module.check_mode:
        module.exit_json(skipped=True, changed=False, argv=argv,
                         msg="task_exec does not run commands in check mode")
    client = client_for(module)
    name = module.params["name"]
    try:
        task = client.task(name)
        if task is None or task["status"] != "running":
            module.fail_json(msg="container %s has no running task (%s) in namespace %s: start it first "
                                 "(containerd.runtime.task state=running)"
                                 % (name, task["status"] if task else "no task", client.namespace), argv=argv)
        exec_id = "ansible-" + uuid.uuid4().hex[:16]
        rc, stdout, stderr = client.exec_in_task(name, argv, exec_id, cwd=module.params["working_dir"],
                                                 user=module.params["user"], tty=module.params["tty"])
    except ContainerdError as error:
        fail(module, error, argv=argv)
    result = dict(changed=True, rc=rc, stdout=stdout, stderr=stderr, stdout_lines=stdout.splitlines(),
                  stderr_lines=stderr.splitlines(), exec_id=exec_id, argv=argv)
    if rc != 0:
        module.fail_json(msg="non-zero return code %d" % rc, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
