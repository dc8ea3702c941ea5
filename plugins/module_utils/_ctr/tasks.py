# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Task operations of the client (mixed into ``client.CtrClient``; uses ``self.run``)."""

from __future__ import annotations

import time
from collections import namedtuple

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.args import command, flag
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.exec_output import OutputCapture
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CommandFailed,
    InvalidArgument,
    NotFound,
)

POLL_INTERVAL = 0.2


class TaskOps(object):
    exec_capture_dir = None  # where exec_capture makes its private directories (None: the system's tmp)

    def tasks(self, namespace=None):
        return parse.parse_tasks(self.run(["tasks", "ls"], namespace=namespace))

    def task(self, name):
        """{'name', 'pid', 'status'} of a container's task, or None when it has none."""
        for task in self.tasks():
            if task["name"] == name:
                return task
        return None

    def start_task(self, name, log_uri=None):
        """Start a container's task detached; its stdout/stderr go to ``log_uri`` (file://...) or nowhere."""
        flags = [flag("detach")] + (["--log-uri", log_uri] if log_uri else [flag("null-io")])
        self.run(command(["tasks", "start"], flags, [name]))

    def pause_task(self, name):
        self.run(command(["tasks", "pause"], operands=[name]))

    def resume_task(self, name):
        self.run(command(["tasks", "resume"], operands=[name]))

    def kill_task(self, name, signal):
        self.run(command(["tasks", "kill"], ["--signal", signal], [name]))

    def delete_task(self, name):
        """Delete a stopped task; return its exit status (ctr only warns about a non-zero one)."""
        args = command(["tasks", "delete"], operands=[name])
        rc, _stdout, stderr = self.run_full(args)
        if rc != 0:
            raise self.error(args, rc, stderr)
        return parse.parse_task_exit_status(stderr)

    def wait_task_stopped(self, name, timeout):
        """Poll until the task is stopped or gone; True when it was within ``timeout`` seconds."""
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            task = self.task(name)
            if task is None or task["status"] == "stopped":
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL)

    def stop_task(self, name, signal="SIGTERM", timeout=10):
        """Stop a task: ``signal``, wait up to ``timeout`` seconds, then SIGKILL.

        Returns (the signal that stopped it, seconds from the first signal until it was stopped), or
        (None, None) when it was not running.
        """
        task = self.task(name)
        if task is None or task["status"] == "stopped":
            return None, None
        if task["status"] in ("paused", "pausing"):
            self.resume_task(name)  # a frozen process handles no signal
        started = time.monotonic()
        try:
            self.kill_task(name, signal)
        except NotFound:
            return None, None
        if self.wait_task_stopped(name, 30 if signal == "SIGKILL" else timeout):
            return signal, round(time.monotonic() - started, 2)
        try:
            self.kill_task(name, "SIGKILL")
        except NotFound:
            return "SIGKILL", round(time.monotonic() - started, 2)
        if not self.wait_task_stopped(name, 30):
            raise self.error(command(["tasks", "kill"], ["--signal", "SIGKILL"], [name]), 1,
                             "ctr: task %s did not stop within 30s of SIGKILL" % name)
        return "SIGKILL", round(time.monotonic() - started, 2)

    def logged_exec_args(self, name, argv, exec_id, log_uri, cwd=None, user=None):
        """The ``ctr tasks exec`` arguments that hand the process's output to the logger at ``log_uri``."""
        return command(["tasks", "exec"], self._exec_flags(exec_id, cwd, user, log_uri), [name] + list(argv))

    @staticmethod
    def _exec_flags(exec_id, cwd, user, log_uri=None):
        flags = ["--exec-id", exec_id] + (["--log-uri", log_uri] if log_uri else [])
        if cwd:
            flags += ["--cwd", cwd]
        if user:
            flags += ["--user", user]
        return flags

    def delete_exec(self, name, exec_id):
        """Delete an exited exec process (which makes the shim close its output); gone already is fine."""
        args = command(["tasks", "delete"], ["--exec-id", exec_id], [name])
        rc, _stdout, stderr = self.run_full(args)
        if rc != 0:
            error = self.error(args, rc, stderr)
            if not isinstance(error, NotFound):
                raise error

    def exec_capture(self, name, argv, exec_id, cwd=None, user=None, tty=False, timeout=None, bounded=True):
        """Run ``argv`` in the running task of ``name``; an ``ExecResult`` with every byte it wrote.

        The one way to run an exec (``task_exec``, the workloads health checks, and any other caller):
        the output is captured by the shim's binary logger (see ``exec_output``), never through ctr's
        FIFOs, which lose the output of a process that exits right after writing it. A failure of ctr
        itself (no such task, runc cannot start the process) raises a typed error. ``timeout`` (seconds,
        default the client's) bounds the whole exec: ctr gives up on a longer one (the process goes on);
        ``bounded=False`` bounds only connecting to containerd (the connection plugin's commands run as
        long as they need). The process has no stdin.
        """
        if tty:
            raise InvalidArgument("tty: ctr tasks exec --tty needs a terminal on ctr's own stdin, and its "
                                  "output could not be captured reliably; run the command without tty")
        with OutputCapture(parent=self.exec_capture_dir) as capture:
            args = self.logged_exec_args(name, argv, exec_id, capture.log_uri, cwd=cwd, user=user)
            rc, _stdout, stderr = self.run_full(args, timeout=timeout, whole_command=bounded)
            if rc != 0 and parse.is_ctr_failure(stderr):
                raise self.error(args, rc, stderr, timeout=timeout)
            if not capture.complete():
                # ctr deletes the exec process only after exit status 0 (see exec_output): the shim hands
                # over the last of the output when it is deleted.
                self.delete_exec(name, exec_id)
            if not capture.complete():
                raise CommandFailed("the command ran in %s (exit status %s) but its output could not be read "
                                    "completely: %s" % (name, rc, capture.logger_error()
                                                        or "the output logger did not finish"), argv=args, rc=rc)
            stdout, stderr = capture.read()
        return ExecResult(rc, stdout, stderr)

    def exec_in_task(self, name, argv, exec_id, cwd=None, user=None, tty=False):
        """``exec_capture`` as text: (rc, stdout, stderr), bytes that are not UTF-8 replaced by U+FFFD."""
        result = self.exec_capture(name, argv, exec_id, cwd=cwd, user=user, tty=tty)
        return result.rc, result.text(result.stdout), result.text(result.stderr)

    def exec_argv(self, name, argv, exec_id, cwd=None, user=None):
        """The whole ctr argv of a streaming exec, for callers that run and feed it themselves (the
        connection plugin: stdin for pipelining and put_file). No ``--timeout``: the process runs as long
        as it needs; only connecting to containerd is bounded by the client's timeout. Its output comes
        through ctr's own FIFOs; callers that need every byte of a short process use ``exec_capture``."""
        self.check_ctr()
        args = command(["tasks", "exec"], self._exec_flags(exec_id, cwd, user), [name] + list(argv))
        return self.argv(args, whole_command=False)


class ExecResult(namedtuple("ExecResult", "rc stdout stderr")):
    """Exit status and the raw bytes a process wrote to stdout and stderr."""

    @staticmethod
    def text(data):
        return data.decode("utf-8", "replace")
