# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the networking tests: real CNI plugins, real network namespaces, real iptables.

No containerd here: ``ansible`` is overridden with a runner without connection defaults. Every test gets
its own conf dir, result cache and host-local data dir (temp dirs), and unique bridge, netns and network
names and 10.x / fd.. subnets from ``cni``; whatever a test leaves behind is removed at teardown (netns,
bridges, iptables rules of its networks), and the IP forwarding switches the bridge plugin turns on are
put back as they were at the end of the session.
"""
import fcntl
import json
import shlex
from contextlib import contextmanager
from pathlib import Path

import pytest

from cni_helpers import FORWARDING, SHARED_CHAINS, CniWorld, bridges, chains, run
from harness.ansible import Ansible
from harness.binaries import cni_bin_dir


@contextmanager
def locked(path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def forwarding_restored(tmp_path_factory, worker_id):
    """The bridge plugin (isGateway) switches IP forwarding on; the last xdist worker to finish puts it back
    as the first one found it - unless other bridges (another runtime's, which may need forwarding) exist."""
    root = tmp_path_factory.getbasetemp()
    root = root.parent if worker_id != "master" else root
    state, lock = root / "cni-forwarding.json", root / "cni-forwarding.lock"
    with locked(lock):
        data = json.loads(state.read_text()) if state.exists() else {
            "users": 0, "before": {path: Path(path).read_text() for path in FORWARDING}}
        data["users"] += 1
        state.write_text(json.dumps(data))
    yield
    with locked(lock):
        data = json.loads(state.read_text())
        data["users"] -= 1
        state.write_text(json.dumps(data))
        if data["users"] == 0 and not bridges():
            for path, value in data["before"].items():
                Path(path).write_text(value)


@pytest.fixture(scope="session")
def cni_plugins():
    path = cni_bin_dir()
    if not (path / "bridge").exists():
        pytest.fail("CNI plugins are not in %s: run tests/setup/fetch-containerd.sh first" % path)
    return path


@pytest.fixture
def cni(tmp_path, cni_plugins):
    world = CniWorld(tmp_path, cni_plugins)
    yield world
    world.cleanup(Ansible(tmp_path / "cleanup"))


@pytest.fixture
def ansible(tmp_path):
    """A runner for localhost without containerd (cni_network does not talk to containerd)."""
    return Ansible(tmp_path / "a")


@pytest.fixture
def plugin_chains_removed(tmp_path_factory, worker_id):
    """portmap and firewall leave their top-level chains (CNI-HOSTPORT-*, CNI-FORWARD, CNI-ADMIN, shared by
    every attachment) after the last DEL; remove those this test brought and that are empty at its end, with
    the jumps to them. A chain with rules in it serves another attachment and stays.

    The tests that use these chains hold one lock across xdist workers for their whole run: removing the
    shared chains while another worker's portmap ADD uses them made that ADD fail (seen in CI)."""
    root = tmp_path_factory.getbasetemp()
    root = root.parent if worker_id != "master" else root
    with locked(root / "cni-shared-chains.lock"):
        before = {(command, table): chains(command, table) for command in ("iptables", "ip6tables")
                  for table in ("nat", "filter")}
        yield
        for (command, table), old in before.items():
            rules = run(command + "-save", "-t", table).stdout.splitlines()
            new = [chain for chain in SHARED_CHAINS if chain in chains(command, table) - old
                   and not any(line.startswith("-A %s " % chain) for line in rules)]
            if not new:
                continue
            for line in rules:
                argv = shlex.split(line)
                if line.startswith("-A ") and argv[1] not in new and any(
                        argv[i + 1] in new for i, arg in enumerate(argv[:-1]) if arg == "-j"):
                    run(command, "-t", table, "-D", *argv[1:], check=False)
            for chain in new:
                run(command, "-t", table, "-X", chain, check=False)
