# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_network: the networks option, its validation and the networks label (no root, no plugins run)."""
import json

from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._container import network as container_network


def write_network(conf_dir, name, **args):
    conflist = cni_config.build_bridge_conflist(name, bridge="br-" + name, **args)
    (conf_dir / ("10-%s.conflist" % name)).write_bytes(cni_config.serialise(conflist))


def params(conf_dir, bin_dir, **args):
    out = {"name": "web", "networks": None, "ports": None, "cni_conf_dir": str(conf_dir),
           "cni_bin_dir": [str(bin_dir)], "cni_cache_dir": None, "net_host": False, "network_namespace": None}
    out.update(args)
    return out


def plugins(tmp_path, *kinds):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for kind in kinds:
        path = bin_dir / kind
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    return bin_dir


def test_networks_are_normalised_with_interface_names_in_order():
    assert container_network.normalise_networks(["a", {"name": "b", "ips": "10.0.0.2"}, {"name": "c", "ifname": "x"}]) == [
        {"name": "a", "ifname": "eth0", "ips": []}, {"name": "b", "ifname": "eth1", "ips": ["10.0.0.2"]},
        {"name": "c", "ifname": "x", "ips": []}]


def test_a_valid_plan_round_trips_through_the_label_without_commas(tmp_path):
    bin_dir = plugins(tmp_path, "bridge", "host-local", "portmap")
    write_network(tmp_path, "front", subnets=["10.220.1.0/24"], port_mappings=True)
    plan = container_network.Plan(params(tmp_path, bin_dir, networks=[{"name": "front", "ips": ["10.220.1.9"]}],
                                         ports=["127.0.0.1:8080:80"]), "prod")
    assert plan.errors == [] and plan and plan.netns == "prod--web" and plan.port_network == "front"
    assert plan.netns_path == "/var/run/netns/prod--web"
    label = plan.label()
    assert "," not in label[container_network.LABEL]
    data = container_network.stored({"Labels": label})
    assert data["networks"] == plan.networks and data["ports"] == plan.mappings == [
        {"hostPort": 8080, "containerPort": 80, "protocol": "tcp", "hostIP": "127.0.0.1"}]
    assert container_network.actual({"Labels": label}) == plan.compared()
    assert container_network.actual({"Labels": {}}) == {"networks": [], "ports": []}
    assert container_network.stored({"Labels": {container_network.LABEL: "not base64 json"}}) is None


def test_validation_names_every_problem(tmp_path):
    bin_dir = plugins(tmp_path, "bridge", "host-local")
    write_network(tmp_path, "back", subnets=["10.221.1.0/24"])
    plan = container_network.Plan(params(tmp_path, bin_dir, net_host=True, ports=["99999:80", "1:2"],
                                         networks=[{"name": "back", "ips": ["192.0.2.1"]}, "missing",
                                                   {"name": "x", "bogus": 1}]), "default")
    text = "; ".join(plan.errors)
    assert "cannot be combined with net_host" in text
    assert "out of range" in text
    assert "static IP 192.0.2.1 is not in any subnet of network back" in text
    assert "CNI network missing is not defined" in text
    assert "'bogus': 1" in text


def test_ports_need_a_network_with_portmap(tmp_path):
    bin_dir = plugins(tmp_path, "bridge", "host-local")
    write_network(tmp_path, "back", subnets=["10.221.1.0/24"])
    alone = container_network.Plan(params(tmp_path, bin_dir, ports=["80:80"]), "default")
    assert "ports need networks" in "; ".join(alone.errors)
    errors = container_network.Plan(params(tmp_path, bin_dir, networks=["back"], ports=["80:80"]), "default").errors
    assert errors and "portMappings capability" in errors[0]


def test_no_networks_is_an_empty_plan(tmp_path):
    plan = container_network.Plan(params(tmp_path, tmp_path), "default")
    assert not plan and plan.errors == [] and plan.compared() == {"networks": [], "ports": []}
    assert json.loads(json.dumps(plan.compared())) == plan.compared()
