#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

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
    description:
      - Allocate a terminal for the command. Not supported, because C(ctr tasks exec --tty) needs a terminal
        on its own stdin (a module has none) and cannot hand a terminal's output to anything but its own
        FIFOs, which lose output (see the notes). V(true) fails before the command runs.
    type: bool
    default: false
notes:
  - stdin of the command is empty.
  - RV(stdout) and RV(stderr) hold everything the command wrote, however soon it exits and however loaded the
    host is. Plain C(ctr tasks exec) does not guarantee that (it stops copying its FIFOs when the exit status
    arrives and loses what was not copied yet); the module instead runs C(ctr tasks exec --log-uri
    binary://...) with a small logger, run by the containerd shim with the module's Python, that writes the
    process's stdout and stderr to private files (mode 0600, in a 0700 directory under the host's temporary
    directory, removed before the module returns).
  - Output that is not valid UTF-8 is returned with the invalid bytes replaced by U+FFFD.
  - Output that background processes left behind by the command write after it exited may be missing.
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
  description: Everything the command wrote to stdout (decoded as UTF-8).
  returned: when the command ran
  type: str
  sample: hi
stderr:
  description: Everything the command wrote to stderr (decoded as UTF-8), apart from RV(stdout).
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._common.module import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._container.exec import exec_argv, run_in_task


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
    try:
        argv = exec_argv(module.params)
        if module.check_mode:
            module.exit_json(skipped=True, changed=False, argv=argv, msg="task_exec does not run commands in check mode")
        module.exit_json(**run_in_task(module.params, client_for(module), argv))
    except CollectionError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
