# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container networks/ports: containers on CNI bridge networks reach each other, publish ports, dual stack."""
import time
import urllib.request

import pytest

from cni_helpers import bridge_members, iptables_rules, netns_names
from harness.assertions import assert_clean_failure


def start(ansible, name):
    result = ansible.module("task", {"name": name})
    assert result["status"] == "changed", result
    return result


def exec_in(ansible, name, *argv):
    return ansible.module("task_exec", {"name": name, "command": list(argv)})


def address(result, family=4):
    return [a["address"] for a in result["interfaces"][0]["addresses"] if a["family"] == family][0].split("/")[0]


def fetch(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


def test_containers_on_one_network_reach_each_other_and_not_another_network(ansible, on_networks, network, cni):
    red = network(subnets=[cni.subnet4()], routes=[])
    blue = network(subnets=[cni.subnet4()], routes=[])
    sleeper = ["sleep", "1000"]
    first = on_networks("first", [red], command=sleeper)
    second = on_networks("second", [red], command=sleeper)
    third = on_networks("third", [blue], command=sleeper)
    for result in (first, second, third):
        assert result["status"] == "changed", result
        assert result["interfaces"][0]["mac"] and result["interfaces"][0]["ips"], result
    for name in ("first", "second", "third"):
        start(ansible, name)
    assert exec_in(ansible, "first", "ping", "-c", "1", "-W", "2", address(second))["rc"] == 0
    assert exec_in(ansible, "second", "ping", "-c", "1", "-W", "2", address(first))["rc"] == 0
    assert exec_in(ansible, "third", "ping", "-c", "1", "-W", "2", address(first))["rc"] != 0
    assert exec_in(ansible, "first", "ping", "-c", "1", "-W", "2", address(third))["rc"] != 0
    shown = exec_in(ansible, "first", "ip", "-o", "addr", "show", "eth0")["stdout"]
    assert first["interfaces"][0]["ips"][0] in shown and first["interfaces"][0]["network"] == red


def test_a_published_port_serves_httpd_in_the_container(plugin_chains_removed, ansible, on_networks, network, cni,
                                                        namespace, free_port):
    name = network(subnets=[cni.subnet4()], port_mappings=True)
    created = on_networks("web", [name], ports=["127.0.0.1:%d:80" % free_port],
                          command=["httpd", "-f", "-p", "80", "-h", "/var/www"])
    assert created["status"] == "changed", created
    assert created["interfaces"][0]["ports"] == [
        {"hostPort": free_port, "containerPort": 80, "protocol": "tcp", "hostIP": "127.0.0.1"}]
    start(ansible, "web")
    body, deadline = None, time.time() + 20
    while body is None and time.time() < deadline:
        try:
            body = fetch("http://127.0.0.1:%d/" % free_port)
        except OSError:
            time.sleep(0.5)
    assert body == "hello from v1\n"
    removed = ansible.module("container", {"name": "web", "state": "absent"})
    assert removed["status"] == "changed", removed
    assert ":%d" % free_port not in iptables_rules() and "%s--web" % namespace not in netns_names()


def test_dual_stack_assigns_and_returns_both_addresses(ansible, on_networks, network, cni):
    name = network(subnets=[cni.subnet4(), cni.subnet6()])
    created = on_networks("dual", [{"name": name, "ifname": "net0"}], command=["sleep", "1000"])
    assert created["status"] == "changed", created
    interface = created["interfaces"][0]
    assert interface["ifname"] == "net0" and sorted(a["family"] for a in interface["addresses"]) == [4, 6]
    start(ansible, "dual")
    shown = exec_in(ansible, "dual", "ip", "-o", "addr", "show", "net0")["stdout"]
    for ip in interface["ips"]:
        assert ip in shown, shown


def test_check_mode_idempotence_static_ip_and_nothing_left_after_removal(ansible, on_networks, network, cni,
                                                                         namespace):
    subnet = cni.subnet4()
    name = network(subnets=[subnet])
    static = subnet.replace(".0/24", ".77")
    nets = [{"name": name, "ips": [static]}]
    netns = "%s--box" % namespace
    predicted, created, _checked, again = converged = ansible.converge(
        "container", on_networks.args("box", nets), observe=lambda: (netns in netns_names(), cni.leases(name)))
    assert converged.before == (False, [])
    assert predicted["interfaces"][0]["ips"] == [static]
    assert converged.after == (True, [static])
    assert created["interfaces"][0]["ips"] == [static + "/24"]
    assert created["container"]["network_namespace"] == "/var/run/netns/" + netns
    assert again["actions"] == []
    assert again["interfaces"][0]["ips"] == [static + "/24"]
    bridge = cni.bridges[-1]
    assert len(bridge_members(bridge)) == 1
    drift = on_networks("box", [name])
    assert drift["status"] == "changed" and "networks" in drift["differences"], drift
    assert any(action.startswith("detached") for action in drift["actions"]), drift
    assert drift["interfaces"][0]["ips"][0] != static + "/24" and len(cni.leases(name)) == 1
    assert len(bridge_members(bridge)) == 1
    removed = ansible.converge("container", {"name": "box", "state": "absent"},
                               observe=lambda: (netns in netns_names(), cni.leases(name)))
    assert removed.before[0] is True and removed.before[1]
    assert removed.after == (False, []) and cni.cache_entries() == []
    assert bridge_members(bridge) == []


def test_the_task_module_recreates_and_reattaches_a_deleted_netns(ansible, on_networks, network, cni, namespace):
    name = network(subnets=[cni.subnet4()])
    created = on_networks("svc", [name], command=["sleep", "1000"])
    assert created["status"] == "changed", created
    start(ansible, "svc")
    assert ansible.module("task", {"name": "svc", "state": "absent"})["status"] == "changed"
    netns = "%s--svc" % namespace
    subprocess_run("ip", "netns", "del", netns)
    assert netns not in netns_names()
    predicted, started, _checked, _again = converged = ansible.converge(
        "task", {"name": "svc"}, observe=lambda: netns in netns_names(), predicted=("differences", "diff"))
    # check mode predicts "attached"; the real run reports "re-attached ...: CNI plugin bridge failed (CHECK ...)"
    assert "created network namespace %s" % netns in predicted["actions"] and converged.before is False
    assert "created network namespace %s" % netns in started["actions"], started
    assert any(action.startswith("re-attached") for action in started["actions"]), started
    shown = exec_in(ansible, "svc", "ip", "-o", "-4", "addr", "show", "eth0")
    assert shown["rc"] == 0 and "inet " in shown["stdout"], shown
    assert len(cni.leases(name)) == 1
    assert on_networks("svc", [name], command=["sleep", "1000"])["status"] == "ok"


def subprocess_run(*argv):
    import subprocess  # noqa: PLC0415
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", ["outside", "unknown", "no_portmap"])
def test_bad_input_fails_before_anything_is_created(ansible, on_networks, network, cni, namespace, containerd, case):
    subnet = cni.subnet4()
    name = network(subnets=[subnet])
    networks, options, fragment = {
        "outside": ([{"name": name, "ips": ["192.0.2.9"]}], {}, "static IP 192.0.2.9 is not in any subnet"),
        "unknown": (["no-such-net"], {}, "CNI network no-such-net is not defined"),
        "no_portmap": ([name], {"ports": ["18080:80"]}, "none of the networks"),
    }[case]
    result = on_networks("bad", networks, **options)
    assert_clean_failure(result, fragment)
    assert "%s--bad" % namespace not in netns_names() and cni.leases(name) == []
    assert containerd.ctr("containers", "info", "bad", namespace=namespace, check=False).returncode != 0
