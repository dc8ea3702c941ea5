# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Building, loading and validating CNI conflists (cni_config), and reading CNI results (cni)."""
import json
import os

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._cni import runtime as cni
from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CniError, InvalidConflist
from cni_stubs import RESULT, make_plugin_dir


def test_bridge_conflist_dual_stack_with_portmap_and_firewall():
    conflist = cni_config.build_bridge_conflist(
        "web", bridge="br-web", subnets=["10.88.0.0/16", {"subnet": "fd00:88::/64", "range_start": "fd00:88::10"}],
        gateway=["10.88.0.254"], port_mappings=True, firewall=True, mtu=1400, ipam_data_dir="/tmp/ipam")
    assert conflist["name"] == "web" and conflist["cniVersion"] == "1.0.0"
    bridge, portmap, firewall = conflist["plugins"]
    assert bridge == {
        "type": "bridge", "bridge": "br-web", "isGateway": True, "ipMasq": True, "hairpinMode": False,
        "promiscMode": False, "mtu": 1400, "capabilities": {"ips": True},
        "ipam": {"type": "host-local", "dataDir": "/tmp/ipam",
                 "ranges": [[{"subnet": "10.88.0.0/16", "gateway": "10.88.0.254"}],
                            [{"subnet": "fd00:88::/64", "rangeStart": "fd00:88::10"}]],
                 "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]}}
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True}}
    assert firewall == {"type": "firewall"}
    assert cni_config.shape_errors(conflist) == []


def test_bridge_conflist_routes_none_without_gateway_and_explicit_routes():
    assert "routes" not in cni_config.build_bridge_conflist("a", subnets=["10.1.0.0/24"], is_gateway=False)[
        "plugins"][0]["ipam"]
    ipam = cni_config.build_bridge_conflist("a", subnets=["10.1.0.0/24"],
                                            routes=["10.9.0.0/16", {"dst": "10.8.0.0/16", "gw": "10.1.0.9"}])
    assert ipam["plugins"][0]["ipam"]["routes"] == [{"dst": "10.9.0.0/16"}, {"dst": "10.8.0.0/16", "gw": "10.1.0.9"}]


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(subnets=[]), "at least one subnet"),
    (dict(subnets=["10.0.0.1/24"]), "host bits set"),
    (dict(subnets=["10.0.0.0/33"]), "not a valid subnet"),
    (dict(subnets=["10.0.0.0/16", "10.0.1.0/24"]), "overlap"),
    (dict(subnets=["10.0.0.0/24"], gateway=["10.0.1.1"]), "is not in any of the subnets"),
    (dict(subnets=[{"subnet": "10.0.0.0/24", "range_end": "10.0.1.9"}]), "range_end 10.0.1.9 is not in subnet"),
    (dict(subnets=[{"net": "10.0.0.0/24"}]), "unknown key"),
    (dict(subnets=["10.0.0.0/24"], routes=["nowhere"]), "not a valid subnet"),
    (dict(subnets=["10.0.0.0/24"], mtu=20), "mtu 20 is out of range"),
])
def test_bridge_conflist_bad_options_say_why(kwargs, fragment):
    with pytest.raises(InvalidConflist) as caught:
        cni_config.build_bridge_conflist("a", **kwargs)
    assert fragment in caught.value.message


@pytest.mark.parametrize("conflist, fragment", [
    ({"name": "a b", "cniVersion": "1.0.0", "plugins": [{"type": "bridge"}]}, "network name 'a b' is not valid"),
    ({"name": "a", "cniVersion": "2.0", "plugins": [{"type": "bridge"}]}, "cniVersion '2.0' is not one of"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": []}, "non-empty list"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": ["bridge"]}, "must be a dict"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": [{"type": "../bin/sh"}]}, "needs a 'type'"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": [{"type": "x", "prevResult": {}}]}, "runtime injects it"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": [{"type": "bridge", "bridge": "a-very-long-bridge"}]},
     "at most 15"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": [{"type": "x", "capabilities": {"ips": "yes"}}]},
     "capabilities must map"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": [{"type": "x", "ipam": {
        "type": "host-local", "ranges": [[{"subnet": "10.0.0.0/24", "gateway": "10.1.0.1"}]]}}]},
     "gateway 10.1.0.1 is not in subnet"),
    ({"name": "a", "cniVersion": "1.0.0", "plugins": [{"type": "x", "ipam": {"subnet": "10.0.0.300/24"}}]},
     "not a valid subnet"),
])
def test_shape_errors_say_why(conflist, fragment):
    errors = cni_config.shape_errors(conflist)
    assert any(fragment in error for error in errors), errors


def test_overlap_and_shared_bridge_with_other_networks():
    mine = cni_config.build_bridge_conflist("mine", bridge="br0", subnets=["10.5.0.0/16", "fd05::/64"])
    v4 = cni_config.build_bridge_conflist("v4", bridge="br1", subnets=["10.5.3.0/24"])
    v6 = cni_config.build_bridge_conflist("v6", bridge="br0", subnets=["fd06::/64"])
    others = [{"name": "mine", "file": "/x/mine", "conflist": mine}, {"name": "v4", "file": "/x/v4", "conflist": v4},
              {"name": "v6", "file": "/x/v6", "conflist": v6}]
    errors = cni_config.overlap_errors(mine, others)
    assert errors == ["subnet 10.5.0.0/16 overlaps 10.5.3.0/24 of network v4 (/x/v4)",
                      "bridge br0 is already used by network v6 (/x/v6); give each network its own bridge"]


def test_binary_errors_missing_and_not_executable(tmp_path):
    (tmp_path / "bridge").write_text("")
    os.chmod(str(tmp_path / "bridge"), 0o755)
    (tmp_path / "portmap").write_text("")
    conflist = cni_config.build_bridge_conflist("a", subnets=["10.0.0.0/24"], port_mappings=True)
    errors = cni_config.binary_errors(conflist, [str(tmp_path)])
    assert errors == ["CNI plugin 'host-local' is not in %s: install the CNI plugins there or set bin_dir" % tmp_path,
                      "CNI plugin %s is not executable" % (tmp_path / "portmap")]


def test_load_conf_dir_in_libcni_order_with_single_plugin_confs(tmp_path):
    (tmp_path / "20-b.conflist").write_text(json.dumps({"cniVersion": "1.0.0", "name": "b", "plugins": [
        {"type": "bridge"}]}))
    (tmp_path / "10-a.conf").write_text(json.dumps({"cniVersion": "0.4.0", "name": "a", "type": "ptp"}))
    (tmp_path / "05-broken.conflist").write_text("{not json")
    (tmp_path / "30-b-again.json").write_text(json.dumps({"cniVersion": "1.0.0", "name": "b", "type": "bridge"}))
    (tmp_path / "README").write_text("ignored")
    assert [n["name"] for n in cni_config.scan(str(tmp_path))] == ["a", "b", "b"]
    first, matches = cni_config.find(str(tmp_path), "b")
    assert first["file"] == str(tmp_path / "20-b.conflist") and len(matches) == 2
    a = cni_config.find(str(tmp_path), "a")[0]
    assert a["conflist"] == {"cniVersion": "0.4.0", "name": "a", "plugins": [{"type": "ptp"}]}
    with pytest.raises(InvalidConflist) as caught:
        cni_config.load_file(str(tmp_path / "05-broken.conflist"))
    assert "is not valid JSON" in caught.value.message


@pytest.mark.parametrize("spec, mapping", [
    ("8080:80", {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}),
    ("127.0.0.1:8080:80/tcp", {"hostPort": 8080, "containerPort": 80, "protocol": "tcp", "hostIP": "127.0.0.1"}),
    ("[::1]:53:53/udp", {"hostPort": 53, "containerPort": 53, "protocol": "udp", "hostIP": "::1"}),
    ({"host_port": 9000, "container_port": "90", "protocol": "sctp"},
     {"hostPort": 9000, "containerPort": 90, "protocol": "sctp"}),
])
def test_parse_ports(spec, mapping):
    assert cni_config.parse_ports([spec]) == [mapping]


@pytest.mark.parametrize("spec, fragment", [
    ("80", "is not [HOST_IP:]HOST_PORT"), ("70000:80", "out of range"), ("1.2.3:80:80", "not a valid IP"),
    ("80:80/icmp", "is not [HOST_IP:]"), ({"host_port": 1, "container_port": 2, "proto": "tcp"}, "unknown key"),
])
def test_bad_ports_say_why(spec, fragment):
    with pytest.raises(InvalidConflist) as caught:
        cni_config.parse_ports([spec])
    assert fragment in caught.value.message


def test_same_host_port_twice_is_rejected():
    with pytest.raises(InvalidConflist):
        cni_config.parse_ports(["8080:80", "8080:81"])


def test_static_ip_errors():
    conflist = cni_config.build_bridge_conflist("a", subnets=["10.0.0.0/24", "fd00::/64"])
    assert cni_config.static_ip_errors(conflist, ["10.0.0.5", "fd00::5"]) == []
    assert "not in any subnet" in cni_config.static_ip_errors(conflist, ["10.0.1.5"])[0]
    assert "at most one address per IP family" in cni_config.static_ip_errors(conflist, ["10.0.0.5", "10.0.0.6"])[0]
    raw = cni_config.build_raw_conflist("r", "1.0.0", [{"type": "ptp", "ipam": {
        "type": "host-local", "ranges": [[{"subnet": "10.0.0.0/24"}]]}}])
    assert "declares no 'ips' capability" in cni_config.static_ip_errors(raw, ["10.0.0.5"])[0]


@pytest.mark.parametrize("value, fragment", [
    ("", "must not be empty"), ("a" * 16, "16 characters long"), ("eth/0", "must not"), ("..", "must not"),
])
def test_ifname_errors(value, fragment):
    assert fragment in cni_config.ifname_error(value)


def test_summarize_a_cni_result():
    summary = cni.summarize("web", "c1", "eth0", "/var/run/netns/x", RESULT,
                            {"portMappings": [{"hostPort": 1, "containerPort": 2, "protocol": "tcp"}]})
    assert summary["mac"] == "aa:00:00:00:00:03"
    assert summary["ips"] == ["10.88.0.2/16", "fd00::2/64"]
    assert [a["family"] for a in summary["addresses"]] == [4, 6]
    assert summary["host_interfaces"] == ["cni0", "veth1"]
    assert summary["ports"] == [{"hostPort": 1, "containerPort": 2, "protocol": "tcp"}]


def test_plugin_error_message_from_json_or_stderr():
    assert cni.plugin_message('{"code": 11, "msg": "failed to allocate", "details": "range full"}', "") == (
        "failed to allocate: range full (CNI error code 11)")
    assert cni.plugin_message("", "first\nlast line\n") == "last line"
    assert cni.plugin_message("", "") == "no error output"


def test_portmap_ipv6_check_bug_is_recognised_only_for_ipv4_only_results():
    error = CniError("CNI plugin portmap failed (CHECK, network a): could not check ipv6 dnat: chain x not found")
    v4 = {"ips": [{"address": "10.0.0.2/24"}]}
    assert cni.known_false_check_failure({"type": "portmap"}, error, v4)
    assert not cni.known_false_check_failure({"type": "portmap"}, error, RESULT)
    assert not cni.known_false_check_failure({"type": "bridge"}, error, v4)


class FakeModule(object):
    """Records run_command calls and answers like a plugin would; no plugin runs."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []

    def run_command(self, argv, data=None, environ_update=None, check_rc=False):
        self.calls.append({"argv": argv, "stdin": json.loads(data), "env": dict(environ_update)})
        return self.answers.pop(0)


def test_attach_chains_prev_result_injects_runtime_config_and_caches_like_libcni(tmp_path):
    conflist = cni_config.build_bridge_conflist("web", subnets=["10.88.0.0/16"], port_mappings=True)
    module = FakeModule([(0, json.dumps(RESULT), ""), (0, json.dumps(RESULT), "")])
    runtime = cni.CniRuntime(module, make_plugin_dir(tmp_path, "bridge", "portmap"), str(tmp_path / "cache"))
    ports = [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]
    attachment = runtime.attach(conflist, "/var/run/netns/x", "c1", "eth0", static_ip="10.88.0.2", port_mappings=ports)
    bridge_call, portmap_call = module.calls
    assert bridge_call["env"] == {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/var/run/netns/x",
                                  "CNI_IFNAME": "eth0", "CNI_PATH": str(tmp_path)}
    assert bridge_call["stdin"]["name"] == "web" and bridge_call["stdin"]["cniVersion"] == "1.0.0"
    assert "prevResult" not in bridge_call["stdin"]
    assert bridge_call["stdin"]["runtimeConfig"] == {"ips": ["10.88.0.2"]}  # only its capabilities
    assert portmap_call["stdin"]["prevResult"] == RESULT
    assert portmap_call["stdin"]["runtimeConfig"] == {"portMappings": ports}
    assert attachment["ips"] == ["10.88.0.2/16", "fd00::2/64"]
    entry = json.loads((tmp_path / "cache" / "results" / "web-c1-eth0").read_text())
    assert entry["kind"] == "cniCacheV1" and entry["result"] == RESULT and entry["netns"] == "/var/run/netns/x"
    assert entry["capabilityArgs"] == {"ips": ["10.88.0.2"], "portMappings": ports}
    assert json.loads(__import__("base64").b64decode(entry["config"])) == conflist
    assert [a["container_id"] for a in runtime.cached_attachments(network="web")] == ["c1"]


def test_failed_plugin_deletes_everything_in_reverse_order(tmp_path):
    conflist = cni_config.build_bridge_conflist("web", subnets=["10.88.0.0/16"], port_mappings=True)
    failure = (1, json.dumps({"code": 999, "msg": "iptables said no"}), "")
    module = FakeModule([(0, json.dumps(RESULT), ""), failure, (0, "", ""), (0, "", "")])
    runtime = cni.CniRuntime(module, make_plugin_dir(tmp_path, "bridge", "portmap"), str(tmp_path / "cache"))
    with pytest.raises(CniError) as caught:
        runtime.attach(conflist, "/var/run/netns/x", "c1")
    assert "portmap failed (ADD, network web, container c1): iptables said no" in caught.value.message
    assert "deleted again" in caught.value.message
    assert [(c["env"]["CNI_COMMAND"], os.path.basename(c["argv"][0])) for c in module.calls] == [
        ("ADD", "bridge"), ("ADD", "portmap"), ("DEL", "portmap"), ("DEL", "bridge")]
    assert module.calls[3]["stdin"]["prevResult"] == RESULT
    assert not (tmp_path / "cache" / "results" / "web-c1-eth0").exists()


def test_detach_uses_the_cached_config_and_result(tmp_path):
    old = cni_config.build_bridge_conflist("web", subnets=["10.88.0.0/16"])
    new = cni_config.build_bridge_conflist("web", subnets=["10.99.0.0/16"])
    module = FakeModule([(0, json.dumps(RESULT), ""), (0, "", "")])
    runtime = cni.CniRuntime(module, make_plugin_dir(tmp_path, "bridge"), str(tmp_path / "cache"))
    runtime.attach(old, "/var/run/netns/x", "c1")
    detached = runtime.detach(new, None, "c1")
    delete = module.calls[1]
    assert delete["env"]["CNI_COMMAND"] == "DEL" and delete["env"]["CNI_NETNS"] == "/var/run/netns/x"
    assert delete["stdin"]["ipam"]["ranges"] == [[{"subnet": "10.88.0.0/16"}]]
    assert delete["stdin"]["prevResult"] == RESULT
    assert detached["ips"] == ["10.88.0.2/16", "fd00::2/64"]
    assert runtime.cached("web", "c1", "eth0") is None


def test_ipam_leases_read_host_local_files(tmp_path):
    conflist = cni_config.build_bridge_conflist("web", subnets=["10.88.0.0/16"], ipam_data_dir=str(tmp_path))
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "10.88.0.2").write_text("c1\r\neth0")
    (tmp_path / "web" / "last_reserved_ip.0").write_text("10.88.0.2")
    (tmp_path / "web" / "lock").write_text("")
    assert [(lease["address"], lease["container_id"], lease["ifname"]) for lease in cni.ipam_leases(conflist)] == [
        ("10.88.0.2", "c1", "eth0")]


def test_ensure_attached_is_a_check_when_nothing_changed_and_reattaches_when_ports_change(tmp_path, monkeypatch):
    monkeypatch.setattr(cni, "netns_exists", lambda path: True)
    conflist = cni_config.build_bridge_conflist("web", subnets=["10.88.0.0/16"], port_mappings=True)
    ok = (0, "", "")
    added = (0, json.dumps(RESULT), "")
    module = FakeModule([added, added, ok, ok, ok, ok, added, added])
    runtime = cni.CniRuntime(module, make_plugin_dir(tmp_path, "bridge", "portmap"), str(tmp_path / "cache"))
    ports = [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]
    assert runtime.ensure_attached(conflist, "/var/run/netns/x", "c1", port_mappings=ports)[0] is True
    changed, attachment, actions = runtime.ensure_attached(conflist, "/var/run/netns/x", "c1", port_mappings=ports)
    assert (changed, actions, attachment["ports"]) == (False, [], ports)
    assert [c["env"]["CNI_COMMAND"] for c in module.calls[2:4]] == ["CHECK", "CHECK"]
    assert module.calls[3]["stdin"]["prevResult"] == RESULT
    other = [{"hostPort": 9090, "containerPort": 80, "protocol": "tcp"}]
    predicted = runtime.ensure_attached(conflist, "/var/run/netns/x", "c1", port_mappings=other, check_mode=True)
    assert predicted[0] is True and len(module.calls) == 4  # check mode ran nothing
    changed, attachment, actions = runtime.ensure_attached(conflist, "/var/run/netns/x", "c1", port_mappings=other)
    assert changed and "port mappings changed" in actions[0]
    assert [c["env"]["CNI_COMMAND"] for c in module.calls[4:]] == ["DEL", "DEL", "ADD", "ADD"]
    assert module.calls[4]["stdin"]["runtimeConfig"] == {"portMappings": ports}  # DEL with what was cached
    assert runtime.cached("web", "c1", "eth0")["capability_args"] == {"portMappings": other}
