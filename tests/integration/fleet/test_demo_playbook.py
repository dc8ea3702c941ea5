# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo playbook (``ansible-playbook containerd.runtime.demo``, what ``make demo`` runs), in a private layout.

The play installs nothing here: the containerd, runc and cni roles run with ``install_method: none`` on the
cached Debian binaries (``harness.roles.RoleHost``: private config, root, state, socket, pid and log files,
supervised service), and the image comes from the busybox test archive (``demo_image_archive``), as the
offline demo does. The containerd role starts the daemon (code under test); the fixture stops it by PID.
Every run gets its own namespace, network, bridge, subnet (10.241-250.x.0/24, a range no other test uses)
and a free port; whatever the CNI plugins left (netns, bridge, iptables rules, IPAM leases) is removed at the
end by name.
"""
import json
import random
import shutil
import socket
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path

import pytest

from harness.binaries import cni_bin_dir, tool
from harness.roles import RoleHost

NETWORKING = Path(__file__).resolve().parent.parent / "networking"
if str(NETWORKING) not in sys.path:
    sys.path.insert(0, str(NETWORKING))

import cni_helpers  # noqa: E402
from cni_helpers import host_links, netns_names, remove_rules_mentioning, run  # noqa: E402

PLAYBOOK = "containerd.runtime.demo"
BUSYBOX = "docker.io/library/busybox:test"
CNI_STATE = Path("/var/lib/cni")


_networking = cni_helpers.networking_fixtures("networking_conftest_for_demo")
forwarding_restored = _networking.forwarding_restored  # IP forwarding back as it was, after the session
plugin_chains_removed = _networking.plugin_chains_removed  # portmap's shared chains, under the workers' lock


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.read().decode()


class Demo:
    """One private demo: the role host, the demo's variables, and runs of the playbook."""

    def __init__(self, host, archive):
        tag = uuid.uuid4().hex[:6]
        rng = random.Random(uuid.uuid4().int)
        self.host = host
        self.namespace = "demo-" + tag
        self.network = "crt-demo-" + tag
        self.bridge = "crtd" + tag
        self.port = free_port()
        cni_conf_dir = str(host.base / "cni" / "net.d")
        self.vars = dict(
            host.vars,
            containerd_ctr_path=str(host.bin / "ctr"),
            containerd_cni_conf_dir=cni_conf_dir,
            containerd_cni_bin_dir=str(cni_bin_dir()),
            runc_install_method="none",
            runc_bin_dir=str(tool("runc").parent),
            cni_install_method="none",
            cni_bin_dir=str(cni_bin_dir()),
            cni_conf_dir=cni_conf_dir,
            demo_namespace=self.namespace,
            demo_network=self.network,
            demo_bridge=self.bridge,
            demo_subnet="10.%d.%d.0/24" % (rng.randint(241, 250), rng.randint(0, 255)),
            demo_port=self.port,
            demo_image=BUSYBOX,
            demo_image_archive=str(archive),
        )

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.port

    def play(self, **extra):
        return self.host.ansible.playbook(PLAYBOOK, extra_vars=dict(self.vars, **extra))

    def containers(self):
        listed = run(self.host.bin / "ctr", "--address", self.host.socket, "-n", self.namespace, "containers", "ls",
                     "-q")
        return listed.stdout.split()

    def conflists(self):
        conf_dir = Path(self.vars["cni_conf_dir"])
        return sorted(path.name for path in conf_dir.iterdir()) if conf_dir.exists() else []

    def cleanup(self):
        """Stop the daemon and its shims by PID, then remove what the CNI plugins left for this network."""
        self.host.cleanup()
        for name in netns_names():
            if name.startswith(self.namespace + "--"):
                run("ip", "netns", "del", name, check=False)
        if self.bridge in host_links():
            run("ip", "link", "del", self.bridge, check=False)
        remove_rules_mentioning([self.network])
        shutil.rmtree(CNI_STATE / "networks" / self.network, ignore_errors=True)
        results = CNI_STATE / "results"
        for entry in results.glob(self.network + "-*") if results.exists() else []:
            entry.unlink()


@pytest.fixture
def demo(plugin_chains_removed, busybox_archive):
    host = RoleHost("2.x", tempfile.mkdtemp(prefix="cdemo-", dir="/tmp"))
    world = Demo(host, busybox_archive)
    try:
        yield world
    finally:
        world.cleanup()


def changed(play):
    """``[(task, what it did)]`` of the tasks a run reported as changed (the workloads' actions, if any)."""
    return [(record["task"], [entry["actions"] for entry in record["result"].get("workloads", [])])
            for record in play.records if record["status"] == "changed"]


def test_the_demo_workload_answers_on_its_published_port(demo):
    play = demo.play()
    assert play.rc == 0, play
    assert fetch(demo.url) == "Hello from containerd.runtime: busybox httpd in container web (namespace %s)\n" % (
        demo.namespace)
    shown = [record for record in play.records if record["task"] == "Show what runs and where to reach it"]
    assert shown and "try it:     curl %s" % demo.url in shown[0]["result"]["msg"], play


def test_a_second_run_of_the_demo_changes_nothing(demo):
    first = demo.play()
    assert first.rc == 0, first
    second = demo.play()
    assert second.rc == 0, second
    assert changed(second) == [], second
    assert fetch(demo.url).startswith("Hello from containerd.runtime")


def test_demo_state_absent_removes_the_workload_and_its_network(demo):
    assert demo.play().rc == 0
    assert demo.containers() == ["web"] and demo.conflists() == ["10-%s.conflist" % demo.network]
    # keep the daemon (demo_install_containerd=false: the roles that would uninstall it are skipped)
    removed = demo.play(demo_state="absent", demo_install_containerd=False)
    assert removed.rc == 0, removed
    assert demo.containers() == [] and demo.conflists() == []
    with pytest.raises(OSError):
        fetch(demo.url)
    assert json.dumps(removed.records).count('"status": "changed"') >= 2, removed
