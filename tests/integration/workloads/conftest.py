# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the workloads module tests (daemons, namespaces, images and ansible come from the top conftest)."""
import os
import socket

import pytest

# a workload that stops on SIGTERM (busybox sleep as PID 1 ignores it and would wait for SIGKILL)
GRACEFUL = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]


@pytest.fixture
def tasks(containerd, namespace):
    """tasks() -> {name: status} from plain ctr tasks ls (status as ctr prints it, e.g. RUNNING)."""
    def read():
        return dict((line.split()[0], line.split()[2]) for line in containerd.lines("tasks", "ls", namespace=namespace)[1:])
    return read


@pytest.fixture
def workload(busybox):
    """workload(name, **keys) -> an entry running the busybox image with a command that stops on SIGTERM."""
    def make(name, **keys):
        entry = {"name": name, "image": busybox, "command": GRACEFUL}
        entry.update(keys)
        return entry
    return make


@pytest.fixture
def workloads(ansible):
    """workloads(entries, check=False, diff=False, **options) -> result of the workloads module."""
    def run(entries, check=False, diff=False, **options):
        args = {"workloads": entries}
        args.update(options)
        return ansible.module("workloads", args, check=check, diff=diff)
    return run


@pytest.fixture
def unreachable_registry():
    """host:port of a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return "127.0.0.1:%d" % sock.getsockname()[1]


class LoggedCtr(object):
    """A ctr wrapper in a tmp dir that logs each call's arguments (one line each) and then runs the daemon's ctr;
    the runc shim is linked next to it, where the modules look for a runtime's shim."""

    def __init__(self, directory, containerd):
        self.log = directory / "ctr-calls.log"
        self.path = str(directory / "ctr")
        with open(self.path, "w") as script:
            script.write('#!/bin/sh\nprintf "%%s\\n" "$*" >> %s\nexec %s "$@"\n' % (self.log, containerd.ctr_path))
        os.chmod(self.path, 0o755)
        shim = containerd.bin_dir / "containerd-shim-runc-v2"
        os.symlink(str(shim), str(directory / shim.name))

    def calls(self):
        return self.log.read_text().splitlines() if self.log.exists() else []

    def count(self, command):
        """How many calls ran ``command`` (e.g. ``containers info``)."""
        return sum(1 for line in self.calls() if (" %s " % command) in " %s " % line)

    def clear(self):
        if self.log.exists():
            self.log.unlink()


@pytest.fixture
def logged_ctr(tmp_path, containerd):
    directory = tmp_path / "logged-ctr"
    directory.mkdir()
    return LoggedCtr(directory, containerd)
