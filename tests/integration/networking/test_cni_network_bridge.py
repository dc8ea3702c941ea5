# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cni_network: writing, changing and removing bridge network configurations."""
import json

from cni_helpers import host_links, netns_names
from harness.assertions import assert_clean_failure


def conflist_file(cni, name, priority=10):
    return cni.conf_dir / ("%s-%s.conflist" % (priority, name))


def test_bridge_network_is_written_atomically_and_second_run_is_unchanged(ansible, cni):
    name = cni.network()
    subnet = cni.subnet4()
    args = cni.bridge_network(name, subnets=[subnet])
    predicted, result, _checked, again = converged = ansible.converge(
        "cni_network", args, expect_diff=lambda diff: diff["before"]["state"] == "absent",
        observe=lambda: sorted(p.name for p in cni.conf_dir.iterdir()) if cni.conf_dir.exists() else None)
    assert converged.before is None
    data = json.loads(conflist_file(cni, name).read_text())
    assert data == result["network"]["conflist"] == predicted["network"]["conflist"]
    assert data["name"] == name and data["cniVersion"] == "1.0.0"
    bridge = data["plugins"][0]
    assert bridge["type"] == "bridge" and bridge["bridge"] == args["bridge"]
    assert bridge["ipam"]["ranges"] == [[{"subnet": subnet}]]
    assert bridge["ipam"]["dataDir"] == str(cni.ipam_dir)
    assert result["network"]["subnets"] == [subnet]
    assert result["network"]["bridge"] is None  # the bridge plugin creates it on the first attach
    assert converged.after == [conflist_file(cni, name).name]  # no temp file left
    assert again["actions"] == []
    assert args["bridge"] not in host_links()


def test_changing_the_subnet_rewrites_the_file_with_a_diff(ansible, cni):
    name = cni.network()
    old, new = cni.subnet4(), cni.subnet4()
    args = cni.bridge_network(name, subnets=[old])
    assert ansible.module("cni_network", args)["status"] == "changed"
    args["subnets"] = [new]
    diff = ansible.converge("cni_network", args).check["diff"]
    assert diff["before"]["conflist"]["plugins"][0]["ipam"]["ranges"] == [[{"subnet": old}]]
    assert diff["after"]["conflist"]["plugins"][0]["ipam"]["ranges"] == [[{"subnet": new}]]
    assert json.loads(conflist_file(cni, name).read_text())["plugins"][0]["ipam"]["ranges"] == [[{"subnet": new}]]


def test_changing_the_priority_renames_the_file(ansible, cni):
    name = cni.network()
    args = cni.bridge_network(name, subnets=[cni.subnet4()])
    assert ansible.module("cni_network", args)["status"] == "changed"
    converged = ansible.converge("cni_network", dict(args, priority=20))
    assert converged.real["diff"]["after"]["file"] == str(conflist_file(cni, name, 20))
    assert sorted(p.name for p in cni.conf_dir.iterdir()) == [conflist_file(cni, name, 20).name]


def test_raw_plugins_list_is_written_as_given(ansible, cni):
    name = cni.network()
    plugins = [{"type": "ptp", "ipMasq": False, "ipam": {
        "type": "host-local", "ranges": [[{"subnet": cni.subnet4()}]], "dataDir": str(cni.ipam_dir)}},
        {"type": "tuning", "sysctl": {"net.core.somaxconn": "512"}}]
    ansible.converge("cni_network", cni.common(name=name, plugins=plugins, cni_version="0.4.0"))
    expected = {"cniVersion": "0.4.0", "name": name, "plugins": plugins}
    assert json.loads(conflist_file(cni, name).read_text()) == expected


def test_removing_a_network_removes_its_file_bridge_and_ipam_state(ansible, cni):
    name = cni.network()
    args = cni.bridge_network(name, subnets=[cni.subnet4()])
    ns = cni.ns()
    setup = ansible.run([
        {"containerd.runtime.cni_network": args},
        {"containerd.runtime.cni_network": cni.common(name=name, state="attached", netns=ns)},
        {"containerd.runtime.cni_network": cni.common(name=name, state="detached", netns=ns)},
    ])
    assert setup.statuses() == ["changed", "changed", "changed"], setup
    assert args["bridge"] in host_links() and (cni.ipam_dir / name).is_dir()
    converged = ansible.converge("cni_network", cni.common(name=name, state="absent"))
    assert converged.check["actions"] == converged.real["actions"]
    assert "removed bridge %s" % args["bridge"] in converged.real["actions"]
    assert converged.real["network"] is None
    assert list(cni.conf_dir.iterdir()) == []
    assert args["bridge"] not in host_links()
    assert not (cni.ipam_dir / name).exists()
    assert ns not in netns_names()


def test_removing_a_network_with_attachments_fails_and_lists_them(ansible, cni):
    name = cni.network()
    args = cni.bridge_network(name, subnets=[cni.subnet4()])
    ns = cni.ns()
    setup = ansible.run([{"containerd.runtime.cni_network": args},
                         {"containerd.runtime.cni_network": cni.common(name=name, state="attached", netns=ns)}])
    assert setup.statuses() == ["changed", "changed"], setup
    address = setup[1]["attachment"]["ips"][0]
    for check in (True, False):
        result = ansible.module("cni_network", cni.common(name=name, state="absent"), check=check)
        assert_clean_failure(result, "still has 1 attachment", ns, address, "state=detached")
        assert [(a["container_id"], a["ifname"]) for a in result["attachments"]] == [(ns, "eth0")]
    assert conflist_file(cni, name).exists() and args["bridge"] in host_links() and ns in netns_names()


def test_removing_a_network_keeps_files_in_its_ipam_directory_that_are_not_host_local_state(ansible, cni):
    name = cni.network()
    args = cni.bridge_network(name, subnets=[cni.subnet4()])
    assert ansible.module("cni_network", args)["status"] == "changed"
    own = cni.ipam_dir / name
    own.mkdir(parents=True, exist_ok=True)
    (own / "lock").write_text("")
    (own / "last_reserved_ip.0").write_text("10.0.0.2")
    (own / "sshd_config").write_text("PermitRootLogin no\n")  # a dataDir pointed at an etc
    result = ansible.module("cni_network", cni.common(name=name, state="absent"))
    assert result["status"] == "changed", result
    assert sorted(path.name for path in own.iterdir()) == ["sshd_config"]
    assert any("not host-local IPAM state" in warning for warning in result.get("warnings", [])), result
