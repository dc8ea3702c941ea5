# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix's "daemon killed in the middle of a converge" (issue 13), through the workloads module.

Deterministic, no timing: ``ctr_path`` points at a wrapper that, on the converge's first ``tasks start``,
SIGKILLs the test's own daemon (its PID from ``daemon_factory``), waits until the kernel has closed the
daemon's files (the process is a zombie or gone), and only then execs the real ctr, which finds nobody
listening. The container the converge created just before stays; nothing that existed before is lost.
"""
import pytest

from harness import corpus, images
from harness.ansible import Ansible
from harness.assertions import assert_clean_failure

# a workload that stops on SIGTERM (as in workloads/conftest.py)
GRACEFUL = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]

# argv is "<ctr> --address A [--namespace N ...] <group> <verb> ...": kill once, on the first "tasks start"
WRAPPER = """#!/bin/sh
prev=""
for arg in "$@"; do
  if [ "$prev" = tasks ] && [ "$arg" = start ] && [ ! -e {marker} ]; then
    : > {marker}
    kill -KILL {pid}
    while [ -e /proc/{pid} ] && [ "$(sed 's/^.*) //' /proc/{pid}/stat | cut -d' ' -f1)" != Z ]; do :; done
    break
  fi
  prev="$arg"
done
exec {ctr} "$@"
"""


@pytest.fixture
def victim(containerd, daemon_factory):
    """A throwaway daemon of the tested version: the one the wrapper kills."""
    daemon = daemon_factory(containerd.version)
    yield daemon
    daemon.destroy()


def test_a_daemon_killed_mid_converge_fails_clearly_keeps_everything_and_the_next_run_finishes(
        victim, namespace, busybox_archive, tmp_path, matrix):
    image = images.import_image(victim, namespace, busybox_archive, corpus.DEFAULT.ref())
    entries = [{"name": name, "image": image, "command": GRACEFUL} for name in ("kept", "new", "later")]
    real = Ansible(tmp_path / "real", defaults={"address": victim.socket, "ctr_path": victim.ctr_path,
                                                "namespace": namespace})
    assert real.module("workloads", {"workloads": entries[:1]})["status"] == "changed"

    def state():
        tasks = dict((row.split()[0], row.split()[2]) for row in victim.lines("tasks", "ls", namespace=namespace)[1:])
        return (victim.lines("images", "ls", "-q", namespace=namespace),
                sorted(victim.lines("containers", "ls", "-q", namespace=namespace)), tasks)
    before = state()
    assert before == ([image], ["kept"], {"kept": "RUNNING"})

    # the wrapper stands in a copy of the daemon's bin dir: the module looks for the shim next to ctr
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for binary in victim.bin_dir.iterdir():
        if binary.name != "ctr":
            (bin_dir / binary.name).symlink_to(binary)
    wrapper = bin_dir / "ctr"
    wrapper.write_text(WRAPPER.format(marker=tmp_path / "killed", pid=victim.pid, ctr=victim.ctr_path))
    wrapper.chmod(0o755)
    killing = Ansible(tmp_path / "killing", defaults={"address": victim.socket, "ctr_path": str(wrapper),
                                                      "namespace": namespace})
    result = killing.module("workloads", {"workloads": entries})
    assert (tmp_path / "killed").exists() and victim.proc.poll() is not None  # the kill happened during this run
    assert_clean_failure(result, "containerd is not running at %s" % victim.socket)

    victim.restart()  # the killed process is reaped; the same root, state and socket
    # the image and the running workload are as they were; "new" was created before the kill and kept
    assert state() == ([image], ["kept", "new"], {"kept": "RUNNING"})

    healed = real.module("workloads", {"workloads": entries})
    assert healed["status"] == "changed", healed
    assert [item["actions"] for item in healed["workloads"]] == [
        [], ["started task new"], ["created container later", "started task later"]]
    assert state() == ([image], ["kept", "later", "new"], {"kept": "RUNNING", "new": "RUNNING", "later": "RUNNING"})
    third = real.module("workloads", {"workloads": entries})
    assert third["status"] == "ok" and not any(item["changed"] for item in third["workloads"]), third
    matrix.row("daemon killed in the middle of a converge (containerd %s)" % victim.version, result["msg"],
               "the image, the container and running task that existed; the container created before the kill; "
               "the next run started the rest, the third changed nothing")
