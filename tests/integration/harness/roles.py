# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role's test host: a private layout under /tmp, the role variables pointing into it.

Every path the role writes is pointed into one short temp dir (config dir, root, state, socket, pid and
log files, supervisor, binaries, CNI dirs), so nothing of this machine's /etc, /usr/local, /run/containerd
or /var/log is touched. The binaries are the cached containerd 1.6/1.7/2.x, linked into the temp bin dir
and used with ``containerd_install_method: none``. ``RoleHost.cleanup`` stops what the role started, by
PID from the role's pid files. Nothing here starts containerd: the role does (that is the code under test).
"""
import os
import signal
import subprocess
import time
import tomllib
from pathlib import Path

from . import binaries
from .ansible import Ansible
from .daemon import unmount_below

ROLE = "containerd.runtime.containerd"


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _read_pid(path):
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _stop(pid, timeout=20):
    """SIGTERM, wait, then SIGKILL one process by PID."""
    if not pid or not _alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class RoleHost:
    """One test's private layout, the role variables pointing into it, and helpers to inspect it."""

    def __init__(self, version, base):
        self.version = version
        self.base = Path(base)
        self.source_bin = binaries.containerd_bin_dir(version)
        self.bin = self.base / "bin"
        self.etc = self.base / "etc"
        self.config = self.etc / "config.toml"
        self.certs = self.etc / "certs.d"
        self.root = self.base / "root"
        self.state = self.base / "state"
        self.socket = str(self.state / "containerd.sock")
        self.run_dir = self.base / "run"
        self.supervisor_pid_file = self.run_dir / "supervise.pid"
        self.pid_file = self.run_dir / "containerd.pid"
        self.log = self.base / "log" / "containerd.log"
        self.bin.mkdir(parents=True)
        for binary in self.source_bin.iterdir():
            (self.bin / binary.name).symlink_to(binary)
        self.ansible = Ansible(self.base / "ansible")
        try:
            runc_dir = str(binaries.tool("runc").parent) + ":"
        except binaries.MissingBinaries:
            runc_dir = ""
        self.vars = {
            "containerd_install_method": "none",
            "containerd_service_manager": "supervised",
            "containerd_bin_dir": str(self.bin),
            "containerd_config_dir": str(self.etc),
            "containerd_root": str(self.root),
            "containerd_state_dir": str(self.state),
            "containerd_grpc_address": self.socket,
            "containerd_supervisor_path": str(self.base / "libexec" / "containerd-supervise"),
            "containerd_supervisor_pid_file": str(self.supervisor_pid_file),
            "containerd_pid_file": str(self.pid_file),
            "containerd_log_file": str(self.log),
            "containerd_systemd_unit_dir": str(self.base / "systemd"),
            "containerd_cni_conf_dir": str(self.base / "cni" / "net.d"),
            "containerd_cni_bin_dir": str(self.base / "cni" / "bin"),
            "containerd_path_env": "%s:%s/usr/sbin:/usr/bin:/sbin:/bin" % (self.bin, runc_dir),
            "containerd_start_timeout": 20,
            "containerd_restart_sec": 1,
            # plugins whose default paths are outside the daemon's root and state
            "containerd_config_overrides": self.private_overrides(),
        }

    def private_overrides(self, extra=None):
        plugins = {
            "io.containerd.internal.v1.opt": {"path": str(self.base / "opt")},
            "io.containerd.nri.v1.nri": {"socket_path": str(self.run_dir / "nri.sock")},
        }
        overrides = {"plugins": plugins}
        for key, value in (extra or {}).items():
            if key == "plugins":
                plugins.update(value)
            else:
                overrides[key] = value
        return overrides

    def play(self, check=False, diff=False, **role_vars):
        """Run the role with the private layout plus ``role_vars``; returns the PlayResult."""
        variables = dict(self.vars, **role_vars)
        return self.ansible.run([], roles=[{"role": ROLE}], play_vars=variables, check=check, diff=diff)

    # --- inspection ---------------------------------------------------------------------------------
    def containerd(self, *args, check=True):
        result = subprocess.run([str(self.bin / "containerd")] + [str(a) for a in args], capture_output=True,
                                text=True, timeout=60, check=False)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def default_config(self):
        return tomllib.loads(self.containerd("config", "default").stdout)

    def dump(self, path=None):
        return tomllib.loads(self.containerd("--config", path or self.config, "config", "dump").stdout)

    def rendered(self):
        return tomllib.loads(self.config.read_text())

    def ctr(self, *args, namespace=None, check=True, timeout=120):
        """Plain ``ctr`` against the role's daemon (same signature as ``ContainerdDaemon.ctr``)."""
        argv = [str(self.bin / "ctr"), "--address", self.socket]
        if namespace:
            argv += ["--namespace", namespace]
        result = subprocess.run(argv + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                                check=False)
        if check:
            assert result.returncode == 0, "%s: %s" % (" ".join(argv + [str(a) for a in args]), result.stderr)
        return result

    def ctr_version(self):
        return subprocess.run([str(self.bin / "ctr"), "--address", self.socket, "version"], capture_output=True,
                              text=True, timeout=30, check=False)

    def daemon_pid(self):
        return _read_pid(self.pid_file)

    def supervisor_pid(self):
        return _read_pid(self.supervisor_pid_file)

    def starts(self):
        """How many times the supervisor started containerd (its "started" log lines)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return 0
        return sum(1 for line in text.splitlines() if line.startswith("supervise: ") and " started " in line)

    def cleanup(self):
        """Stop what the role started, by PID from its pid files, then remove the layout."""
        supervisor, daemon = self.supervisor_pid(), self.daemon_pid()
        _stop(supervisor)
        _stop(daemon)
        for entry in Path("/proc").iterdir():  # shims of this daemon, if a test started any
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmdline and b"containerd-shim" in cmdline[0] and self.socket.encode() in cmdline:
                _stop(int(entry.name), timeout=5)
        unmount_below(self.base)
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.base)], check=False)


def changed_tasks(play):
    """Names of the tasks a run reported as changed."""
    return [record["task"] for record in play.records if record["status"] == "changed"]


def failed_tasks(play):
    return [record for record in play.records if record["status"] == "failed"]
