# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a command in a container's task: the logic of the ``task_exec`` module."""

from __future__ import annotations

import uuid

from ansible_collections.containerd.runtime.plugins.module_utils._container.spec import split_command
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CollectionError,
    ExecFailed,
    InvalidContainerOptions,
    TaskNotRunning,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error


def exec_argv(params):
    """The argv to run (``env NAME=value ...`` in front when ``env`` is set); InvalidContainerOptions naming
    every bad parameter."""
    errors = []
    message = identifier_error(params["name"], "container name")
    if message:
        errors.append(message)
    argv = []
    try:
        argv = split_command(params["command"])
    except InvalidContainerOptions as error:
        errors.append(error.message)
    env = params["env"] or {}
    for key in env:
        if not key or "=" in key:
            errors.append("env name %r must not be empty or contain '='" % key)
    if errors:
        raise InvalidContainerOptions("; ".join(errors))
    if env:
        argv = ["env"] + ["%s=%s" % (key, "" if value is None else value) for key, value in env.items()] + argv
    return argv


def run_in_task(params, client, argv):
    """Run ``argv`` in the running task of container ``params["name"]``; the module's result.

    Raises TaskNotRunning, ExecFailed (a non-zero exit; its details are the result) or the client's error,
    each with ``argv`` in its details."""
    name = params["name"]
    try:
        task = client.task(name)
        if task is None or task["status"] != "running":
            raise TaskNotRunning("container %s has no running task (%s) in namespace %s: start it first "
                                 "(containerd.runtime.task state=running)"
                                 % (name, task["status"] if task else "no task", client.namespace))
        exec_id = "ansible-" + uuid.uuid4().hex[:16]
        rc, stdout, stderr = client.exec_in_task(name, argv, exec_id, cwd=params["working_dir"], user=params["user"],
                                                 tty=params["tty"])
    except CollectionError as error:
        error.extra.setdefault("argv", argv)
        raise
    result = dict(changed=True, rc=rc, stdout=stdout, stderr=stderr, stdout_lines=stdout.splitlines(),
                  stderr_lines=stderr.splitlines(), exec_id=exec_id, argv=argv)
    if rc != 0:
        raise ExecFailed("non-zero return code %d" % rc, extra=result)
    return result
