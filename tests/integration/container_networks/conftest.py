# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the container-on-networks tests: containerd (top conftest) plus the networking tests' CNI world.

The CNI helpers and the session/iptables fixtures are reused from ``tests/integration/networking``; only the
subnets differ (10.200-239.x.0/24), so these tests never share a subnet with the bare-netns tests running at
the same time on the host.
"""
import socket
import sys
from pathlib import Path

import pytest

NETWORKING = Path(__file__).resolve().parent.parent / "networking"
if str(NETWORKING) not in sys.path:
    sys.path.insert(0, str(NETWORKING))

import cni_helpers  # noqa: E402
from cni_helpers import CniWorld  # noqa: E402  (found through NETWORKING)
from harness.ansible import Ansible  # noqa: E402
from harness.binaries import cni_bin_dir  # noqa: E402


_shared = cni_helpers.networking_fixtures("networking_conftest_shared")
forwarding_restored = _shared.forwarding_restored
plugin_chains_removed = _shared.plugin_chains_removed


class ContainerCniWorld(CniWorld):
    """CniWorld with subnets of its own range and the netns names the container module uses."""

    def subnet4(self):
        return "10.%d.%d.0/24" % (self.rng.randint(200, 239), self.rng.randint(0, 255))

    def container_netns(self, namespace, name):
        netns = "%s--%s" % (namespace, name)
        self.netns.append(netns)
        return netns


@pytest.fixture
def cni(tmp_path):
    path = cni_bin_dir()
    if not (path / "bridge").exists():
        pytest.fail("CNI plugins are not in %s: run tests/setup/fetch-containerd.sh first" % path)
    world = ContainerCniWorld(tmp_path, path)
    yield world
    world.cleanup(Ansible(tmp_path / "cleanup"))


@pytest.fixture
def network(ansible, cni):
    """network(**bridge options) -> name of a new bridge network in the test's conf dir."""
    def make(**args):
        name = cni.network()
        result = ansible.module("cni_network", cni.bridge_network(name, **args))
        assert result["status"] == "changed", result
        return name
    return make


@pytest.fixture
def on_networks(ansible, busybox, cni, namespace):
    """on_networks(name, networks, check=False, **options) -> runs the container module with the test's CNI dirs;
    ``on_networks.args(name, networks, **options)`` are those options (for ``ansible.converge``)."""
    def args_of(name, networks, **options):
        cni.container_netns(namespace, name)
        args = {"name": name, "image": busybox, "networks": networks, "cni_conf_dir": str(cni.conf_dir),
                "cni_bin_dir": [str(cni.bin_dir)], "cni_cache_dir": str(cni.cache_dir)}
        args.update(options)
        return args

    def run(name, networks, check=False, **options):
        return ansible.module("container", args_of(name, networks, **options), check=check)
    run.args = args_of
    return run


@pytest.fixture
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
