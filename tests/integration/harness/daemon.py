# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real containerd daemon under a private directory, started and stopped by PID."""
import ctypes
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from . import binaries

# containerd 2.x reads version-2 configs too (it migrates them in memory), so one file serves all.
CONFIG = """version = 2
root = "{root}"
state = "{state}"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images"]

[grpc]
  address = "{socket}"

[ttrpc]
  address = "{socket}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "{root}/opt"

[plugins."{restart_plugin}"]
  interval = "{restart_interval}"
"""

# The restart monitor (restart_policy) looks every RESTART_INTERVAL instead of containerd's default 10 s, so
# that the tests of restart policies wait for a second, not ten; its plugin ID changed in 2.0.
RESTART_INTERVAL = 1
RESTART_PLUGIN = {"1": "io.containerd.internal.v1.restart"}
RESTART_PLUGIN_2X = "io.containerd.monitor.container.v1.restart"


RUNC_ROOT = "/run/containerd/runc"


class DaemonError(RuntimeError):
    pass


class ContainerdDaemon:
    """One containerd process with its own root, state dir and socket.

    ``base`` should be short: the socket path must fit a unix socket name (108 bytes).
    """

    def __init__(self, version, base=None, bin_dir=None):
        self.version = version
        self.bin_dir = Path(bin_dir) if bin_dir else binaries.containerd_bin_dir(version)
        self.base = Path(base or tempfile.mkdtemp(prefix="ctrd-", dir="/tmp"))
        self.root = self.base / "root"
        self.state = self.base / "state"
        self.socket = str(self.base / "containerd.sock")
        self.config = self.base / "config.toml"
        self.log = self.base / "containerd.log"
        self.ctr_path = str(self.bin_dir / "ctr")
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def env(self):
        """PATH the daemon needs: its own shims first, then bookworm's runc."""
        try:
            runc_dir = [str(binaries.tool("runc").parent)]
        except binaries.MissingBinaries:
            runc_dir = []  # a host's own containerd with the host's runc
        path = [str(self.bin_dir)] + runc_dir + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
                                                 "/sbin", "/bin"]
        return {**os.environ, "PATH": ":".join(path)}

    def start(self, timeout=30):
        self.root.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        self.config.write_text(CONFIG.format(
            root=self.root, state=self.state, socket=self.socket, restart_interval="%ds" % RESTART_INTERVAL,
            restart_plugin=RESTART_PLUGIN.get(str(self.version).split(".", 1)[0], RESTART_PLUGIN_2X)))
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(self.bin_dir / "containerd"), "--config", str(self.config)],
                stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True,
                preexec_fn=_die_with_parent)  # a test run that is killed must not leave daemons behind
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DaemonError(f"containerd {self.version} exited: {self.log_tail()}")
            if os.path.exists(self.socket) and self.ctr("version", check=False).returncode == 0:
                return self
            time.sleep(0.1)
        raise DaemonError(f"containerd {self.version} did not answer within {timeout}s: {self.log_tail()}")

    def log_tail(self, lines=20):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def ctr(self, *args, namespace=None, check=True, input=None, timeout=120):
        """Plain ``ctr`` against this daemon: what the tests use to verify, never the code under test."""
        argv = [self.ctr_path, "--address", self.socket]
        if namespace:
            argv += ["--namespace", namespace]
        argv += [str(a) for a in args]
        result = subprocess.run(argv, capture_output=True, text=True, input=input, timeout=timeout, env=self.env,
                                check=False)
        if check and result.returncode != 0:
            raise DaemonError(f"{' '.join(argv)} failed: {result.stderr.strip()}")
        return result

    def lines(self, *args, namespace=None):
        return [line for line in self.ctr(*args, namespace=namespace).stdout.splitlines() if line.strip()]

    def namespaces(self):
        return self.lines("namespaces", "ls", "-q")

    def clean_namespace(self, namespace):
        """Remove everything in ``namespace`` and the namespace itself."""
        for task in self.lines("tasks", "ls", "-q", namespace=namespace):
            self.ctr("tasks", "kill", "-s", "SIGKILL", task, namespace=namespace, check=False)
            for _attempt in range(50):
                if self.ctr("tasks", "delete", task, namespace=namespace, check=False).returncode == 0:
                    break
                time.sleep(0.1)
        for container in self.lines("containers", "ls", "-q", namespace=namespace):
            self.ctr("containers", "delete", container, namespace=namespace, check=False)
        images = self.lines("images", "ls", "-q", namespace=namespace)
        if images:
            self.ctr("images", "rm", "--sync", *images, namespace=namespace, check=False)
        self.ctr("namespaces", "rm", namespace, check=False)
        try:
            os.rmdir(os.path.join(RUNC_ROOT, namespace))  # runc's per-namespace state dir, once empty
        except OSError:
            pass

    def info(self, *args, namespace=None):
        return json.loads(self.ctr(*args, namespace=namespace).stdout)

    def pause(self):
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.pid, signal.SIGCONT)

    def kill(self):
        """SIGKILL the daemon (as a crash would); shims and their containers keep running."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self):
        self.stop()
        return self.start()

    def shim_pids(self):
        """PIDs of the shims this daemon started (their command line names our socket)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmdline and b"containerd-shim" in cmdline[0] and self.socket.encode() in cmdline:
                pids.append(int(entry.name))
        return pids

    def destroy(self):
        """Stop everything this daemon started and remove its directory."""
        if self.proc and self.proc.poll() is None:
            # runc keeps its state under /run/containerd/runc/<namespace> whatever the daemon's root:
            # delete the tasks through the daemon so nothing of ours is left there.
            for namespace in self.namespaces():
                self.clean_namespace(namespace)
        self.stop()
        for pid in self.shim_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        unmount_below(self.base)
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.base)], check=False)


def _die_with_parent():
    """In the child before exec: SIGKILL it when the process that started it dies (PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def unmount_below(path):
    prefix = str(path).rstrip("/") + "/"
    with open("/proc/self/mounts") as mounts:
        targets = [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]
    for target in sorted(targets, key=len, reverse=True):
        subprocess.run(["umount", "-l", target], check=False, capture_output=True)
