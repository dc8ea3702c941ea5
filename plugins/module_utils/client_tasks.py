# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task operations of the client (mixed into ``client.CtrClient``; uses ``self.run``)."""

from __future__ import annotations

import time

from ansible_collections.containerd.runtime.plugins.module_utils import parse
from ansible_collections.containerd.runtime.plugins.module_utils.errors import NotFound

POLL_INTERVAL = 0.2


class TaskOps(object):
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
        args = ["tasks", "start", "--detach"]
        args += ["--log-uri", log_uri] if log_uri else ["--null-io"]
        self.run(args + [name])

    def pause_task(self, name):
        self.run(["tasks", "pause", name])

    def resume_task(self, name):
        self.run(["tasks", "resume", name])

    def kill_task(self, name, signal):
        self.run(["tasks", "kill", "--signal", signal, name])

    def delete_task(self, name):
        """Delete a stopped task; return its exit status (ctr only warns about a non-zero one)."""
        rc, _stdout, stderr = self.run_full(["tasks", "delete", name])
        if rc != 0:
            raise self.error(["tasks", "delete", name], rc, stderr)
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
            raise self.error(["tasks", "kill", "--signal", "SIGKILL", name], 1,
                             "ctr: task %s did not stop within 30s of SIGKILL" % name)
        return "SIGKILL", round(time.monotonic() - started, 2)

    @staticmethod
    def exec_args(name, argv, exec_id, cwd=None, user=None, tty=False):
        """The ctr arguments that run ``argv`` in the running task of container ``name``."""
        args = ["tasks", "exec", "--exec-id", exec_id]
        if cwd:
            args += ["--cwd", cwd]
        if user:
            args += ["--user", user]
        if tty:
            args.append("--tty")
        return args + [name] + list(argv)

    def exec_argv(self, name, argv, exec_id, cwd=None, user=None, tty=False):
        """The whole ctr argv of a streaming exec, for callers that run and feed it themselves (the
        connection plugin: stdin for pipelining and put_file). No ``--timeout``: the process runs as long
        as it needs; only connecting to containerd is bounded by the client's timeout."""
        self.check_ctr()
        return self.argv(self.exec_args(name, argv, exec_id, cwd, user, tty), whole_command=False)

    def exec_in_task(self, name, argv, exec_id, cwd=None, user=None, tty=False):
        """Run ``argv`` in the running task; returns (rc, stdout, stderr) of the process.

        A failure of ctr itself (no such task, runc cannot start the process) raises a typed error.
        """
        args = self.exec_args(name, argv, exec_id, cwd, user, tty)
        rc, stdout, stderr = self.run_full(args)
        if rc != 0 and parse.is_ctr_failure(stderr):
            raise self.error(args, rc, stderr)
        return rc, stdout, stderr
