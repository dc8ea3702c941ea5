# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one place that talks to containerd.

``CtrClient`` runs ``ctr`` as argv lists (never a shell) through a *runner*: in a module that is
``module.run_command``; unit tests pass a stub. Modules only call the client's methods, which speak in
containerd objects (namespaces, images, containers, tasks), not ctr flags: that is the seam where
another backend (nerdctl, the gRPC API) could replace ctr without touching a module.

Version differences between containerd 1.6, 1.7 and 2.x are branches here, never in modules, gated by the
table of ``versions.py``: a ctr flag by the release of the ctr binary (``ctr version``'s Client), a daemon
service by the daemon's (its Server), since the two need not match (a distribution's ctr 1.6 against a 2.x
daemon). Every command has the shape of ``args.py`` (flags, ``--``, operands) on every release. Failures become the typed errors of ``_common/errors.py``
(chosen by ``classify.py``).

``CtrBase`` runs ctr; the operations on each kind of object live in one mixin each
(``namespaces.NamespaceOps``, ``images.ImageOps``, ``containers.ContainerOps``,
``tasks.TaskOps``), all built on ``self.run`` — so this class stays the only way to ctr.
"""

from __future__ import annotations

import os
import stat
import subprocess

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import versions
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.args import completion_word
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.containers import ContainerOps
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.images import ImageOps
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.namespaces import NamespaceOps
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.tasks import TaskOps
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.classify import classify, unavailable_message
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CtrNotFound,
    DaemonUnavailable,
    InvalidArgument,
)

DEFAULT_ADDRESS = "/run/containerd/containerd.sock"
DEFAULT_NAMESPACE = "default"
DEFAULT_TIMEOUT = 30
CTR_SEARCH_DIRS = ["/usr/local/bin", "/usr/bin"]


class ModuleRunner(object):
    """Runs argv through AnsibleModule.run_command and returns (rc, stdout, stderr)."""

    def __init__(self, module):
        self.module = module

    def __call__(self, argv, data=None):
        return self.module.run_command(argv, data=data, check_rc=False, binary_data=isinstance(data, bytes))


class SubprocessRunner(object):
    """Runs argv with ``subprocess`` (no shell) and returns (rc, stdout, stderr) as text.

    Safe to call from several threads at once (``AnsibleModule.run_command`` forks with a ``preexec_fn``,
    which is not): the ``workloads`` module reads through it concurrently.
    """

    def __call__(self, argv, data=None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        return (proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"),
                proc.stderr.decode("utf-8", "surrogateescape"))


def find_ctr():
    """The first ctr in PATH, then in CTR_SEARCH_DIRS; None when there is none (for code without a module)."""
    from ansible.module_utils.common.process import get_bin_path
    try:
        return get_bin_path("ctr", opt_dirs=CTR_SEARCH_DIRS)
    except ValueError:
        return None


def socket_path(address):
    """The filesystem path of a unix socket address (``/x.sock`` or ``unix:///x.sock``), else None."""
    if address.startswith("unix://"):
        return address[len("unix://"):]
    if "://" in address:
        return None
    return address


class CtrBase(object):
    """Running ctr: address, namespace, timeout, version detection, typed errors."""

    def __init__(self, ctr_path, address=DEFAULT_ADDRESS, namespace=DEFAULT_NAMESPACE,
                 timeout=DEFAULT_TIMEOUT, runner=None):
        self.ctr_path = ctr_path
        self.address = address
        self.namespace = namespace
        self.timeout = timeout
        self.runner = runner
        self._version = None
        self.commands = []

    # ---- running ctr -------------------------------------------------------------------------------

    def check_ctr(self):
        if not self.ctr_path:
            raise CtrNotFound("ctr was not found in PATH, %s: install containerd or set ctr_path"
                              % ", ".join(CTR_SEARCH_DIRS))
        if not os.path.isfile(self.ctr_path) or not os.access(self.ctr_path, os.X_OK):
            raise CtrNotFound("ctr_path %s is not an executable file" % self.ctr_path)

    def check_socket(self):
        """Fail fast, with the message users need, when nothing can listen at the address."""
        path = socket_path(self.address)
        if path is None:
            return
        try:
            mode = os.stat(path).st_mode
        except OSError:
            raise DaemonUnavailable(unavailable_message(self.address))
        if not stat.S_ISSOCK(mode):
            raise DaemonUnavailable("%s is not a socket: containerd is not listening there — is the "
                                    "address right and the service started?" % self.address)

    def argv(self, args, namespace=None, timeout=None, whole_command=True):
        """The ctr argv; ``whole_command=False`` bounds only the connection, not the command (a process
        started by ``tasks exec`` may run for as long as it needs).

        ``args``: built by ``args.command`` (flags, ``--``, operands). A last word ctr would take as its own
        shell-completion request (see ``args``) is refused: no ``--`` keeps ctr from reading it."""
        word = completion_word(args)
        if word:
            raise InvalidArgument("the last argument is %s, which ctr reads as a request for its shell completion "
                                  "whatever comes before it (it would run nothing, or drop the word): end the "
                                  "command with another argument" % word)
        timeout = self.timeout if timeout is None else timeout
        argv = [self.ctr_path, "--address", self.address, "--connect-timeout", "%ss" % timeout]
        if whole_command:
            argv += ["--timeout", "%ss" % timeout]
        if namespace is not False:
            argv += ["--namespace", namespace or self.namespace]
        return argv + [str(arg) for arg in args]

    def run_full(self, args, namespace=None, timeout=None, data=None, whole_command=True):
        """Run ``ctr <args>`` and return (rc, stdout, stderr) whatever the exit code.

        For the commands whose exit code is not ctr's verdict (``tasks exec`` exits with the process's
        code; ``tasks delete`` reports the exit status on stderr). Use ``error()`` to raise for a failure.
        """
        self.check_ctr()
        self.check_socket()
        argv = self.argv(args, namespace, timeout, whole_command)
        self.commands.append(argv)
        return self.runner(argv, data=data)

    def error(self, args, rc, stderr, namespace=None, timeout=None):
        """The typed error for a failed ``ctr <args>``."""
        return classify(self.argv(args, namespace, timeout), rc, stderr, self.address,
                        self.timeout if timeout is None else timeout)

    def run(self, args, namespace=None, timeout=None, data=None):
        """Run ``ctr <args>``; return stdout. ``namespace=False`` omits the namespace flag."""
        rc, stdout, stderr = self.run_full(args, namespace, timeout, data)
        if rc != 0:
            raise self.error(args, rc, stderr, namespace, timeout)
        return stdout

    # ---- version ----------------------------------------------------------------------------------

    def version(self):
        """{'client': {...}, 'server': {...}} from ``ctr version``; cached per client."""
        if self._version is None:
            self._version = parse.parse_version(self.run(["version"], namespace=False))
        return self._version

    @property
    def server_version(self):
        return tuple(self.version()["server"].get("version_tuple") or (0, 0, 0))

    @property
    def major(self):
        return self.server_version[0]

    @property
    def ctr_version(self):
        """Version of the ctr binary itself (its flag parsing differs between releases)."""
        return tuple(self.version()["client"].get("version_tuple") or self.server_version)

    def has(self, feature):
        """Whether this ctr and daemon have ``feature`` (a key of ``versions.FEATURES``)."""
        return versions.has(feature, self.ctr_version, self.server_version)

    def unsupported(self, features):
        """Why the features (of ``versions.FEATURES``) these releases lack cannot be used; None if all are there."""
        missing = [feature for feature in features if not self.has(feature)]
        return versions.missing_message(missing, self.ctr_version, self.server_version) if missing else None

    # ---- daemon-wide ------------------------------------------------------------------------------

    def plugins(self):
        return parse.parse_plugins(self.run(["plugins", "ls"], namespace=False))


class CtrClient(NamespaceOps, ImageOps, ContainerOps, TaskOps, CtrBase):
    """containerd through ``ctr``: every operation the modules use."""
