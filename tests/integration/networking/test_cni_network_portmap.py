# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cni_network with port_mappings: a port published on 127.0.0.1 reaches a server in the netns."""
import os
import signal
import subprocess
import sys
import time
import urllib.request

from cni_helpers import iptables_rules, netns_names


def fetch(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


def test_published_port_on_loopback_serves_from_the_netns(plugin_chains_removed, ansible, cni, tmp_path):
    name = cni.network()
    created = ansible.module("cni_network", cni.bridge_network(name, subnets=[cni.subnet4()], port_mappings=True))
    assert created["status"] == "changed", created
    assert [p["type"] for p in created["network"]["conflist"]["plugins"]] == ["bridge", "portmap"]
    ns = cni.ns()
    host_port = 18000 + int(cni.tag, 16) % 2000
    args = cni.common(name=name, state="attached", netns=ns, ports=["127.0.0.1:%d:8080/tcp" % host_port])
    play = ansible.run([{"containerd.runtime.cni_network": args, "check_mode": True},
                        {"containerd.runtime.cni_network": args}, {"containerd.runtime.cni_network": args}])
    assert play.statuses() == ["changed", "changed", "ok"], play
    assert play[1]["attachment"]["ports"] == [
        {"hostPort": host_port, "containerPort": 8080, "protocol": "tcp", "hostIP": "127.0.0.1"}]
    container_id = play[1]["attachment"]["container_id"]
    assert 'id: \\"%s\\"' % container_id in iptables_rules() or container_id in iptables_rules()

    site = tmp_path / "site"
    site.mkdir()
    (site / "hello.txt").write_text("served from %s\n" % ns)
    server = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-m", "http.server", "8080",
                               "--bind", "0.0.0.0", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        body = None
        deadline = time.time() + 20
        while body is None and time.time() < deadline:
            try:
                body = fetch("http://127.0.0.1:%d/hello.txt" % host_port)
            except OSError:
                time.sleep(0.5)
        assert body == "served from %s\n" % ns
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)

    detached = ansible.module("cni_network", cni.common(name=name, state="detached", netns=ns))
    assert detached["status"] == "changed", detached
    assert ns not in netns_names()
    rules = iptables_rules()
    assert name not in rules and container_id not in rules and ":%d" % host_port not in rules
