# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-task overhead of the containerd.runtime.containerd connection against containers.podman's podman
connection: the same 20-task play on the same Debian + Python rootfs, both measured in one run.

    .venv/bin/python tests/bench/connection_overhead.py [--rounds N] [--version 2.x]

Needs podman and the containers.podman collection (``bash tests/molecule/setup.sh`` installs both) and the
cached test binaries (tests/setup/fetch-containerd.sh). Not a timed test: it prints a table.

Per-task overhead = (time of the 20-task play - time of a 0-task play) / 20, best of N rounds, with and
without pipelining; a row is printed as soon as it is measured. The containerd side is a harness daemon (harness.daemon.ContainerdDaemon); the podman
side loads the same OCI archive (``podman load``).
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from harness import container_hosts, python_image  # noqa: E402
from harness.ansible import BIN  # noqa: E402
from harness.daemon import ContainerdDaemon  # noqa: E402

TASKS = 20
PODMAN_NAME = "containerd-runtime-bench"
CONTAINERS_CONF = REPO / "tests" / "molecule" / "containers.conf"


def play(tasks):
    """A play of ``tasks`` module tasks: commands, file writes and stats in turn (every one a module run)."""
    body = []
    for index in range(tasks):
        kind = index % 3
        if kind == 0:
            body.append({"name": "command %d" % index, "ansible.builtin.command": {"cmd": "true"},
                         "changed_when": False})
        elif kind == 1:
            body.append({"name": "copy %d" % index, "ansible.builtin.copy": {
                "content": "%d\n" % index, "dest": "/tmp/bench-%d" % index, "mode": "0644"}})
        else:
            body.append({"name": "stat %d" % index, "ansible.builtin.stat": {"path": "/etc/os-release"}})
    return [{"hosts": "all", "gather_facts": False, "tasks": body}]


def timed(runner, inventory, playbook, pipelining):
    env = dict(runner.environment(), ANSIBLE_PIPELINING="1" if pipelining else "0",
               CONTAINERS_CONF=str(CONTAINERS_CONF))
    started = time.monotonic()
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)], cwd=runner.workdir,
                          env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit("play failed:\n%s" % proc.stdout[-3000:])
    return elapsed


def podman(*args, check=True):
    return subprocess.run(["podman"] + list(args), capture_output=True, text=True, check=check,
                          env={"CONTAINERS_CONF": str(CONTAINERS_CONF), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--version", default="2.x", help="containerd version of the harness (1.6, 1.7, 2.x)")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-connection-"))
    archive = python_image.archive()
    daemon = ContainerdDaemon(options.version).start()
    try:
        namespace = container_hosts.unique("bench")
        runner = container_hosts.runner(work / "ansible", daemon, namespace)
        container_hosts.create_hosts(runner, ["bench1"])
        podman("rm", "--force", PODMAN_NAME, check=False)
        loaded = podman("load", "--quiet", "--input", str(archive)).stdout.strip().split()[-1]
        podman("run", "--detach", "--name", PODMAN_NAME, "--env", "container=podman", loaded)
        inventories = {
            "containerd": container_hosts.inventory(daemon, namespace, ["bench1"]),
            "podman": {"all": {"hosts": {PODMAN_NAME: {}}, "vars": {
                "ansible_connection": "containers.podman.podman", "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_remote_tmp": "~/.ansible/tmp"}}},
        }
        plays = {count: work / ("play-%d.json" % count) for count in (0, TASKS)}
        for count, path in plays.items():
            path.write_text(json.dumps(play(count)))
        header = ("connection", "pipelining", "0 tasks s", "%d tasks s" % TASKS, "per task ms")
        print("%-11s %-10s %10s %12s %14s" % header, flush=True)
        for name, data in inventories.items():
            inventory = work / ("%s.json" % name)
            inventory.write_text(json.dumps(data))
            for pipelining in (False, True):
                timed(runner, inventory, plays[TASKS], pipelining)  # warm-up (first copies create the files)
                empty = min(timed(runner, inventory, plays[0], pipelining) for _round in range(options.rounds))
                full = min(timed(runner, inventory, plays[TASKS], pipelining) for _round in range(options.rounds))
                row = (name, "on" if pipelining else "off", empty, full, (full - empty) / TASKS * 1000)
                print("%-11s %-10s %10.2f %12.2f %14.0f" % row, flush=True)
    finally:
        podman("rm", "--force", PODMAN_NAME, check=False)
        daemon.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
