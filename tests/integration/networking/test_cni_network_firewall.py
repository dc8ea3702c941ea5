# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cni_network with firewall: the firewall plugin's FORWARD rules come with the attachment and go with it."""
from cni_helpers import run


def forward_rules():
    return run("iptables-save", "-t", "filter").stdout


def test_firewall_rules_follow_the_attachment(plugin_chains_removed, ansible, cni):
    name = cni.network()
    created = ansible.module("cni_network", cni.bridge_network(name, subnets=[cni.subnet4()], firewall=True))
    assert created["status"] == "changed", created
    assert [p["type"] for p in created["network"]["conflist"]["plugins"]] == ["bridge", "firewall"]
    ns = cni.ns()
    args = cni.common(name=name, state="attached", netns=ns)
    play = ansible.run([{"containerd.runtime.cni_network": args}, {"containerd.runtime.cni_network": args}])
    assert play.statuses() == ["changed", "ok"], play
    address = play[0]["attachment"]["ips"][0].split("/")[0]
    assert "-A CNI-FORWARD -d %s/32" % address in forward_rules()
    detached = ansible.module("cni_network", cni.common(name=name, state="detached", netns=ns))
    assert detached["status"] == "changed", detached
    assert address not in forward_rules()
