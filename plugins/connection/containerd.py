# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: containerd
short_description: Run tasks in containerd containers
description:
  - Runs commands in, and copies files to and from, the running task of a containerd container, through
    C(ctr tasks exec) on the controller.
  - Every command is one C(ctr tasks exec) with a unique exec id; files are copied with C(dd) in the
    container, so they are binary-safe and need nothing but C(dd) there.
  - Commands without input have their output captured by the containerd shim's binary logger (as
    M(containerd.runtime.task_exec) does), so every byte a command writes arrives however soon it exits;
    plain C(ctr tasks exec) loses the end of a short process's output on a loaded host.
author:
  - containerd.runtime developers (@containerd-runtime)
version_added: 0.4.0
options:
  remote_addr:
    description:
      - The container to run in (its containerd ID).
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_containerd_container
  remote_user:
    description:
      - The user (name or UID, optionally C(:group)) the commands run as, resolved by containerd from the
        container's C(/etc/passwd) and C(/etc/group).
      - When not set, the user of the container's process spec (usually C(root)).
      - Needs containerd 1.7 or later (C(ctr) 1.6 cannot run an exec as another user); with 1.6 the host is
        reported unreachable with a message saying so.
    type: str
    vars:
      - name: ansible_user
      - name: ansible_containerd_user
    env:
      - name: ANSIBLE_REMOTE_USER
    ini:
      - section: defaults
        key: remote_user
    keyword:
      - name: remote_user
  address:
    description:
      - Address of containerd's gRPC socket, as C(ctr --address) takes it.
    type: str
    default: /run/containerd/containerd.sock
    vars:
      - name: ansible_containerd_address
    env:
      - name: CONTAINERD_ADDRESS
  namespace:
    description:
      - The containerd namespace of the container.
    type: str
    default: default
    vars:
      - name: ansible_containerd_namespace
    env:
      - name: CONTAINERD_NAMESPACE
  ctr_path:
    description:
      - Path of the C(ctr) binary on the controller.
      - When not set, C(ctr) is looked up in E(PATH), then in C(/usr/local/bin) and C(/usr/bin).
    type: path
    vars:
      - name: ansible_containerd_ctr_path
    env:
      - name: CONTAINERD_CTR_PATH
  timeout:
    description:
      - Seconds to wait for containerd to answer when a command is started (C(ctr --connect-timeout)).
      - Bounds connecting only; the command itself runs as long as it needs (use the task keyword
        C(timeout) to bound a task).
    type: int
    default: 30
    vars:
      - name: ansible_containerd_timeout
    env:
      - name: ANSIBLE_TIMEOUT
    ini:
      - section: defaults
        key: timeout
notes:
  - C(ctr) runs on the controller and talks to the containerd at O(address), which must be on the same
    machine. Containers on another containerd host are B(not supported) by this plugin (exec I/O goes through
    FIFOs that the host's shim opens, so a forwarded socket is not enough); run the play on that host
    instead (for example with C(delegate_to)), or use this collection's modules there.
  - 'Files: O(remote_user) writes and reads them (so ownership is what a login as that user would give) by
    streaming them through C(dd) inside the container. This is binary-safe, works with user namespaces and
    read-only host views, and resolves symbolic links inside the container, as the container sees them.
    Writing through the task''s root (C(/proc/<pid>/root)) on the host was not chosen: absolute symbolic links
    in the container''s file system would be resolved against the host''s root.'
  - Pipelining is not used (a C(pipelining) setting is ignored), because a pipelined module reads itself from stdin,
    and an exec with stdin has its output copied by ctr's own FIFOs, which can lose the module's result.
    Commands that need stdin (a C(become) password prompt, files written with C(put_file)) use those FIFOs;
    for a file only the exit status matters.
  - C(become) uses what the container has (C(sudo), C(su)); an image without them cannot become another user
    (O(remote_user) can still run the commands as that user).
  - Facts recognise a container by the variable C(container) in the environment of its process 1 (systemd's
    container interface); containerd sets none, so give the container C(env) C(container=containerd) to have
    C(ansible_virtualization_type=container) (the C(containerd.runtime.molecule_create) playbook does).
  - 'Errors: a missing container, a container without a running task and a containerd that does not answer
    fail with a message that says so (unreachable). A container without Python runs C(raw) tasks only; the
    other modules fail with C(The module interpreter ... was not found).'
"""

EXAMPLES = r"""
# inventory: hosts are container IDs; namespace and address once for the group
# [web]
# web1
# web2
# [web:vars]
# ansible_connection=containerd.runtime.containerd
# ansible_containerd_namespace=web

- name: Configure containers
  hosts: web
  gather_facts: true
  tasks:
    - name: A file inside each container
      ansible.builtin.copy:
        content: "hello from {{ inventory_hostname }}\n"
        dest: /etc/motd
        mode: "0644"

- name: A container named differently from its inventory host, as an unprivileged user
  hosts: app
  vars:
    ansible_connection: containerd.runtime.containerd
    ansible_containerd_container: app-7f3a
    ansible_containerd_address: /run/k3s/containerd/containerd.sock
    ansible_containerd_namespace: k8s.io
    ansible_user: "1000"
  tasks:
    - name: Who am I
      ansible.builtin.command: id
      changed_when: false
"""

import fcntl
import os
import selectors
import subprocess
import uuid

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

# the collection's client: the only code that builds ctr argv (keep these imports here, together)
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient, SubprocessRunner, find_ctr
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CollectionError,
    CtrNotFound,
    DaemonTimeout,
    DaemonUnavailable,
)
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.parse import is_ctr_failure

display = Display()

COPY_BLOCK = 1024 * 1024
_NO_TASK = ("no running task", "cannot exec in a stopped state", "task must be running", "not running")


class Connection(ConnectionBase):
    """Commands and files through ``ctr tasks exec`` into a container's running task."""

    transport = "containerd.runtime.containerd"
    # no pipelining: a pipelined module reads itself from stdin, and an exec with stdin has its output copied
    # by ctr's FIFOs, which lose what a process writes just before it exits (see exec_command)
    has_pipelining = False

    def __init__(self, play_context, new_stdin=None, *args, **kwargs):
        super(Connection, self).__init__(play_context, new_stdin, *args, **kwargs)
        self._client = None
        self._container = None

    # ---- connecting --------------------------------------------------------------------------------

    def _connect(self):
        if self._connected:
            return self
        ctr_path = self.get_option("ctr_path") or find_ctr()
        self._container = self.get_option("remote_addr")
        self._client = CtrClient(ctr_path, address=self.get_option("address"),
                                 namespace=self.get_option("namespace"), timeout=self.get_option("timeout"),
                                 runner=SubprocessRunner())
        try:
            self._client.check_ctr()
            self._client.check_socket()
        except CollectionError as error:
            raise AnsibleConnectionFailure(error.message)
        if self.get_option("remote_user"):
            # ctr 1.6's tasks exec --user does not resolve a user the way 1.7+ does (the container module has
            # the same gate): refuse it clearly rather than run commands as someone else
            try:
                missing = self._client.unsupported(["container_user"])
            except CollectionError as error:
                raise AnsibleConnectionFailure(error.message)
            if missing:
                raise AnsibleConnectionFailure("remote_user: %s (container %s)" % (missing, self._container))
        display.vvv(u"ESTABLISH CONTAINERD CONNECTION TO %s (namespace %s, address %s) AS %s" % (
            self._container, self._client.namespace, self._client.address,
            self.get_option("remote_user") or "the container's user"), host=self._container)
        self._connected = True
        return self

    @staticmethod
    def _exec_id():
        return "ansible-%d-%s" % (os.getpid(), uuid.uuid4().hex[:12])

    def _argv(self, argv):
        """The ctr argv that runs ``argv`` in the container with stdin, with a fresh exec id."""
        return self._client.exec_argv(self._container, argv, self._exec_id(),
                                      user=self.get_option("remote_user") or None)

    def _captured(self, argv):
        """Run ``argv`` without stdin through the client's captured exec: every byte of its output arrives,
        however soon it exits (ctr's own FIFO copy loses the end of it under load). (rc, stdout, stderr)."""
        try:
            result = self._client.exec_capture(self._container, argv, self._exec_id(),
                                               user=self.get_option("remote_user") or None, bounded=False)
        except CollectionError as error:
            self._raise_if_ctr_failed(argv[0], error.rc or 1, error.stderr or ("ctr: " + error.message))
            raise AnsibleConnectionFailure("ctr tasks exec failed in %s: %s" % (self._where(), error.message))
        return result.rc, result.stdout, result.stderr

    def _where(self):
        return "container %s in namespace %s (containerd at %s)" % (
            self._container, self._client.namespace, self._client.address)

    def _raise_if_ctr_failed(self, program, rc, stderr):
        """Raise AnsibleConnectionFailure when ctr itself failed (not the ``program`` it ran)."""
        text = to_text(stderr, errors="surrogate_or_replace")
        if rc == 0 or not is_ctr_failure(text):
            return
        error = self._client.error(["tasks", "exec", self._container, program], rc, text)
        lower = error.message.lower()
        if isinstance(error, (DaemonUnavailable, DaemonTimeout, CtrNotFound)):
            message = error.message
        elif "container" in lower and "not found" in lower and "task" not in lower:
            message = "%s does not exist (ctr: %s)" % (self._where(), error.message)
        elif any(marker in lower for marker in _NO_TASK):
            message = ("%s has no running task (it is stopped or was never started): start it, for example "
                       "with containerd.runtime.task state=running (ctr: %s)" % (self._where(), error.message))
        elif "executable file not found" in lower or "no such file or directory" in lower:
            message = "%s cannot run %s (ctr: %s)" % (self._where(), program, error.message)
        else:
            message = "ctr tasks exec failed in %s: %s" % (self._where(), error.message)
        raise AnsibleConnectionFailure(message)

    # ---- commands ----------------------------------------------------------------------------------

    def exec_command(self, cmd, in_data=None, sudoable=False):
        super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        executable = getattr(self._play_context, "executable", None) or "/bin/sh"
        prompt = bool(self.become and self.become.expect_prompt() and sudoable)
        if in_data is None and not prompt:
            display.vvv(u"EXEC %s" % ([executable, "-c", cmd],), host=self._container)
            return self._captured([executable, "-c", cmd])
        # stdin is needed (a become password prompt, or data): ctr's FIFOs carry it
        argv = self._argv([executable, "-c", cmd])
        display.vvv(u"EXEC %s" % (argv,), host=self._container)
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        become_output = b""
        if prompt:
            become_output = self._answer_become(proc)
        stdout, stderr = proc.communicate(in_data)
        self._raise_if_ctr_failed(executable, proc.returncode, stderr)
        return proc.returncode, become_output + stdout, stderr

    def _answer_become(self, proc):
        """Read until become's password prompt (or its success marker) and answer it; return what was read."""
        for pipe in (proc.stdout, proc.stderr):
            flags = fcntl.fcntl(pipe, fcntl.F_GETFL)
            fcntl.fcntl(pipe, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        output = b""
        try:
            while not self.become.check_success(output) and not self.become.check_password_prompt(output):
                events = selector.select(self.get_option("timeout"))
                if not events:
                    proc.kill()
                    raise AnsibleError("timeout waiting for the privilege escalation password prompt:\n"
                                       + to_native(output))
                for key, _mask in events:
                    chunk = key.fileobj.read()
                    if not chunk:
                        proc.wait()
                        raise AnsibleError("privilege escalation failed in %s:\n%s" % (
                            self._where(), to_native(output)))
                    output += chunk
        finally:
            selector.close()
            for pipe in (proc.stdout, proc.stderr):
                flags = fcntl.fcntl(pipe, fcntl.F_GETFL)
                fcntl.fcntl(pipe, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        if not self.become.check_success(output):
            password = self.become.get_option("become_pass", playcontext=self._play_context)
            proc.stdin.write(to_bytes(password or "", errors="surrogate_or_strict") + b"\n")
            proc.stdin.flush()
            return b""
        return output

    # ---- files -------------------------------------------------------------------------------------

    def put_file(self, in_path, out_path):
        """Stream a local file into ``dd of=<out_path>`` in the container (binary-safe, any size)."""
        super(Connection, self).put_file(in_path, out_path)
        display.vvv(u"PUT %s TO %s" % (in_path, out_path), host=self._container)
        if not os.path.exists(to_bytes(in_path, errors="surrogate_or_strict")):
            raise AnsibleFileNotFound("file or module does not exist: %s" % to_native(in_path))
        argv = self._argv(["dd", "of=%s" % out_path, "bs=%d" % COPY_BLOCK])
        with open(to_bytes(in_path, errors="surrogate_or_strict"), "rb") as source:
            proc = subprocess.Popen(argv, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            _stdout, stderr = proc.communicate()
        self._raise_if_ctr_failed("dd", proc.returncode, stderr)
        if proc.returncode != 0:
            raise AnsibleError("failed to write %s in %s (rc=%s): %s" % (
                out_path, self._where(), proc.returncode, to_native(stderr, errors="surrogate_or_replace")))

    def fetch_file(self, in_path, out_path):
        """``dd if=<in_path>`` in the container through the captured exec into a local file (binary-safe)."""
        super(Connection, self).fetch_file(in_path, out_path)
        display.vvv(u"FETCH %s TO %s" % (in_path, out_path), host=self._container)
        rc, data, stderr = self._captured(["dd", "if=%s" % in_path, "bs=%d" % COPY_BLOCK])
        if rc != 0:
            raise AnsibleError("failed to read %s in %s (rc=%s): %s" % (
                in_path, self._where(), rc, to_native(stderr, errors="surrogate_or_replace")))
        local = to_bytes(out_path, errors="surrogate_or_strict")
        partial = local + b".part"
        try:
            with open(partial, "wb") as target:
                target.write(data)
            os.rename(partial, local)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def close(self):
        self._connected = False
