# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cni_network state=attached/detached: bare named network namespaces on a bridge network."""
import json

from cni_helpers import bridge_members, host_links, iptables_rules, netns_addresses, netns_names, ping, run


def make_network(ansible, cni, **args):
    name = cni.network()
    options = cni.bridge_network(name, **args)
    result = ansible.module("cni_network", options)
    assert result["status"] == "changed", result
    return name, options


def test_attach_creates_the_netns_and_returns_ip_mac_and_host_veth(ansible, cni):
    name, network = make_network(ansible, cni, subnets=[cni.subnet4()])
    ns = cni.ns()
    args = cni.common(name=name, state="attached", netns=ns)
    # check mode cannot know the address IPAM hands out: its diff has no ips
    predicted, attached, checked, again = ansible.converge("cni_network", args, predicted=("actions", "differences"))
    assert predicted["attachment"]["ips"] == [] and predicted["diff"]["before"]["attachment"] is None
    attachment = attached["attachment"]
    assert attachment["netns"] == "/var/run/netns/" + ns and attachment["ifname"] == "eth0"
    assert attachment["container_id"] == ns
    assert attachment["ips"] == netns_addresses(ns)
    assert attachment["mac"] == json.loads(run("ip", "-n", ns, "-j", "link", "show", "eth0").stdout)[0]["address"]
    veth = attachment["host_veth"]
    assert veth["kind"] == "veth" and veth["master"] == network["bridge"] and veth["name"] in host_links()
    bridge = attached["network"]["bridge"]
    assert bridge["name"] == network["bridge"] and veth["name"] in bridge["members"]
    gateway = attachment["addresses"][0]["gateway"]
    assert any(address.startswith(gateway + "/") for address in bridge["addresses"])
    assert [a["container_id"] for a in attached["network"]["attachments"]] == [ns]
    assert again["attachment"]["ips"] == attachment["ips"] and checked["actions"] == again["actions"] == []
    assert cni.leases(name) == [attachment["ips"][0].split("/")[0]]


def test_detach_removes_veth_lease_cache_iptables_rules_and_netns(ansible, cni):
    name, _network = make_network(ansible, cni, subnets=[cni.subnet4()])
    ns = cni.ns()
    attached = ansible.module("cni_network", cni.common(name=name, state="attached", netns=ns))
    assert attached["status"] == "changed", attached
    veth = attached["attachment"]["host_veth"]["name"]
    assert 'name: \\"%s\\"' % name in iptables_rules()  # ipMasq rules of the attachment
    converged = ansible.converge("cni_network", cni.common(name=name, state="detached", netns=ns))
    assert converged.check["actions"] == converged.real["actions"]
    assert converged.real["attachment"]["ips"] == attached["attachment"]["ips"]
    assert ns not in netns_names() and veth not in host_links()
    assert cni.leases(name) == [] and cni.cache_entries() == []
    assert name not in iptables_rules()


def test_two_namespaces_on_one_bridge_ping_each_other(ansible, cni):
    name, _network = make_network(ansible, cni, subnets=[cni.subnet4()])
    first, second = cni.ns(), cni.ns()
    play = ansible.run([{"containerd.runtime.cni_network": cni.common(name=name, state="attached", netns=ns)}
                        for ns in (first, second)])
    assert play.statuses() == ["changed", "changed"], play
    address = play[1]["attachment"]["ips"][0].split("/")[0]
    assert ping(first, address)
    assert ping(second, play[0]["attachment"]["ips"][0].split("/")[0])


def test_namespaces_on_two_bridges_cannot_reach_each_other(ansible, cni):
    red = make_network(ansible, cni, subnets=[cni.subnet4()], routes=[])[0]
    blue = make_network(ansible, cni, subnets=[cni.subnet4()], routes=[])[0]
    one, other = cni.ns(), cni.ns()
    play = ansible.run([{"containerd.runtime.cni_network": cni.common(name=net, state="attached", netns=ns)}
                        for net, ns in ((red, one), (blue, other))])
    assert play.statuses() == ["changed", "changed"], play
    assert not ping(one, play[1]["attachment"]["ips"][0].split("/")[0])
    assert not ping(other, play[0]["attachment"]["ips"][0].split("/")[0])
    assert ping(one, play[0]["attachment"]["addresses"][0]["gateway"])  # its own network works


def test_dual_stack_assigns_and_returns_an_ipv4_and_an_ipv6_address(ansible, cni):
    v4, v6 = cni.subnet4(), cni.subnet6()
    name, _network = make_network(ansible, cni, subnets=[v4, v6])
    first, second = cni.ns(), cni.ns()
    play = ansible.run([{"containerd.runtime.cni_network": cni.common(name=name, state="attached", netns=ns)}
                        for ns in (first, second)])
    assert play.statuses() == ["changed", "changed"], play
    attachment = play[0]["attachment"]
    assert sorted(a["family"] for a in attachment["addresses"]) == [4, 6]
    assert sorted(attachment["ips"]) == sorted(netns_addresses(first))
    v6_address = [a["address"] for a in play[1]["attachment"]["addresses"] if a["family"] == 6][0]
    assert ping(first, v6_address.split("/")[0])


def test_static_ip_is_assigned(ansible, cni):
    subnet = cni.subnet4()
    name, _network = make_network(ansible, cni, subnets=[subnet])
    ns = cni.ns()
    static = subnet.replace("0/24", "42")
    # check mode predicts the static address without its prefix length (10.x.y.42, the real run 10.x.y.42/24)
    converged = ansible.converge("cni_network", cni.common(name=name, state="attached", netns=ns, ips=[static]),
                                 predicted=("actions", "differences"))
    assert converged.real["attachment"]["ips"] == [static + "/24"] == netns_addresses(ns)


def test_a_failing_plugin_leaves_no_veth_lease_netns_or_rule(ansible, cni):
    subnet = cni.subnet4()
    name = cni.network()
    bridge = cni.bridge()
    plugins = [
        {"type": "bridge", "bridge": bridge, "isGateway": True, "ipMasq": True,
         "ipam": {"type": "host-local", "ranges": [[{"subnet": subnet}]], "dataDir": str(cni.ipam_dir)}},
        {"type": "tuning", "sysctl": {"net.ipv4.conf.eth0.no_such_setting": "1"}},
    ]
    created = ansible.module("cni_network", cni.common(name=name, plugins=plugins))
    assert created["status"] == "changed", created
    ns = cni.ns()
    result = ansible.module("cni_network", cni.common(name=name, state="attached", netns=ns))
    assert result["status"] == "failed", result
    assert "tuning" in result["msg"] and "ADD" in result["msg"] and "deleted again" in result["msg"], result["msg"]
    assert "Traceback" not in str(result.get("exception", ""))
    assert ns not in netns_names()
    assert bridge_members(bridge) == []  # the veth went with the DEL
    assert cni.leases(name) == [] and cni.cache_entries() == []
    assert name not in iptables_rules()


def test_attachment_is_recreated_when_its_netns_is_gone(ansible, cni):
    # ip_masq off: the bridge plugin learns the addresses whose masquerade rules it removes from the
    # interface in the netns, so a netns deleted behind its back (not a reboot) would leave them
    name, _network = make_network(ansible, cni, subnets=[cni.subnet4()], ip_masq=False)
    ns = cni.ns()
    args = cni.common(name=name, state="attached", netns=ns)
    first = ansible.module("cni_network", args)
    assert first["status"] == "changed", first
    run("ip", "netns", "del", ns)  # what a reboot does to /run
    # check mode predicts "attached", the real run reports "re-attached ...: CNI plugin bridge failed (CHECK ...)"
    # and the address IPAM hands out: neither actions nor diff are predicted
    converged = ansible.converge("cni_network", args, observe=lambda: ns in netns_names(), predicted=("differences",))
    assert converged.before is False and converged.after is True
    assert netns_addresses(ns) == converged.real["attachment"]["ips"]
    assert len(cni.leases(name)) == 1  # the old lease was released by DEL
