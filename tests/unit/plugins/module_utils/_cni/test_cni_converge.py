# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge code of cni_network (present, absent, attached, detached), with CNI plugins stubbed at the
runner seam and the kernel (netns, links) stubbed where it would be touched."""
import copy
import json
import os
import stat

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._cni import converge
from ansible_collections.containerd.runtime.plugins.module_utils._cni import runtime as cni
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CniError, InvalidConflist
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from cni_stubs import PluginRunner, make_plugin_dir

PLUGINS = ("bridge", "host-local", "portmap", "firewall")


@pytest.fixture
def kernel(monkeypatch):
    """No netlink, no real netns: a record of the namespaces that exist, are created and removed."""
    state = {"netns": set(), "created": [], "removed": []}

    def ensure(name):
        state["netns"].add(name)
        state["created"].append(name)
        return cni.netns_path(name), True

    def remove(name):
        state["netns"].discard(name)
        state["removed"].append(name)
        return True

    monkeypatch.setattr(cni, "netns_exists", lambda name: os.path.basename(name) in state["netns"])
    monkeypatch.setattr(cni, "ensure_netns", ensure)
    monkeypatch.setattr(cni, "remove_netns", remove)
    monkeypatch.setattr(cni, "bridge_facts", lambda name: state.get("bridges", {}).get(name))
    monkeypatch.setattr(cni, "host_veth", lambda attachment, bridges=(): None)
    monkeypatch.setattr(cni, "delete_link", lambda name: state.setdefault("deleted", []).append(name))
    return state


@pytest.fixture
def host(tmp_path, kernel):
    """Directories of one host: conf_dir, bin_dir (stub plugins), cache_dir, ipam; and a runtime builder."""
    (tmp_path / "bin").mkdir()
    make_plugin_dir(tmp_path / "bin", *PLUGINS)

    class Host(object):
        conf_dir = str(tmp_path / "net.d")
        bin_dir = [str(tmp_path / "bin")]
        cache_dir = str(tmp_path / "cache")
        ipam_dir = str(tmp_path / "ipam")
        runner = PluginRunner()

        def runtime(self):
            return cni.CniRuntime(self.runner, self.bin_dir, self.cache_dir)

        def params(self, **options):
            params = dict(name="web", state="present", conf_dir=self.conf_dir, bin_dir=self.bin_dir,
                          cache_dir=self.cache_dir, cni_version="1.0.0", priority=10, plugins=None, bridge="br-web",
                          subnets=["10.88.0.0/16"], gateway=None, is_gateway=None, ip_masq=None, hairpin_mode=None,
                          promisc_mode=None, mtu=None, routes=None, port_mappings=True, firewall=None,
                          ipam_data_dir=self.ipam_dir, netns=None, ifname="eth0", container_id=None, ips=None,
                          ports=None, keep_netns=False)
            params.update(options)
            return params

        def run(self, params, check_mode=False):
            return converge.converge(params, self.runtime(), RunContext(check_mode=check_mode, diff=True))

    return Host()


def conflist_path(host, name="web", priority=10):
    return os.path.join(host.conf_dir, "%d-%s.conflist" % (priority, name))


def test_present_writes_the_conflist_world_readable_and_reports_the_diff(host):
    outcome = host.run(host.params())
    path = conflist_path(host)
    assert outcome.changed and outcome.actions == ["wrote %s" % path]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    written = json.loads(open(path).read())
    assert [plugin["type"] for plugin in written["plugins"]] == ["bridge", "portmap"]
    assert outcome.network["file"] == path and outcome.network["subnets"] == ["10.88.0.0/16"]
    diff = outcome.result(diff=True)["diff"]
    assert diff["before"] == {"state": "absent", "file": None, "conflist": None}
    assert diff["after"]["state"] == "present" and diff["after"]["conflist"] == written
    assert [c for c in host.runner.commands() if c[0] != "VERSION"] == []  # only VERSION was asked


def test_present_in_check_mode_predicts_the_write_and_writes_nothing(host):
    outcome = host.run(host.params(), check_mode=True)
    assert outcome.changed and outcome.actions == ["wrote %s" % conflist_path(host)]
    assert not os.path.exists(host.conf_dir)


def test_present_twice_changes_nothing_the_second_time(host):
    host.run(host.params())
    outcome = host.run(host.params())
    assert (outcome.changed, outcome.actions, outcome.result(diff=True)["diff"]) == (
        False, [], {"before": {}, "after": {}})


def test_present_keeps_the_mode_a_rewritten_conflist_had(host):
    host.run(host.params())
    os.chmod(conflist_path(host), 0o600)
    host.run(host.params(subnets=["10.89.0.0/16"]))
    assert stat.S_IMODE(os.stat(conflist_path(host)).st_mode) == 0o600


def test_present_removes_another_file_defining_the_same_network(host):
    host.run(host.params(priority=20))
    outcome = host.run(host.params())
    old = conflist_path(host, priority=20)
    assert outcome.actions == ["wrote %s" % conflist_path(host),
                               "removed %s (another file defining network web)" % old]
    assert not os.path.exists(old)


def test_present_never_changes_the_params_it_is_given(host):
    params = host.params()
    before = copy.deepcopy(params)
    host.run(params)
    assert params == before


def test_present_refuses_to_overwrite_a_file_of_another_network(host):
    host.run(host.params(name="other", bridge="br-other", subnets=["10.77.0.0/16"]))
    os.rename(conflist_path(host, "other"), conflist_path(host))
    with pytest.raises(InvalidConflist, match="is not the configuration of network web"):
        host.run(host.params())


def test_present_with_an_overlapping_subnet_fails_before_writing(host):
    host.run(host.params(name="other", bridge="br-other"))
    with pytest.raises(InvalidConflist, match="overlap"):
        host.run(host.params())
    assert not os.path.exists(conflist_path(host))


def test_present_with_a_plugin_that_lacks_the_cni_version_fails(host):
    host.runner.answers[("VERSION", "portmap")] = (0, json.dumps({"supportedVersions": ["0.4.0"]}), "")
    with pytest.raises(InvalidConflist, match="portmap does not support cniVersion 1.0.0"):
        host.run(host.params())


@pytest.mark.parametrize("options, fragment", [
    (dict(name="-bad"), "network name"),
    (dict(bridge="a-bridge-name-too-long"), "bridge name"),
    (dict(state="attached", netns="bad/ns"), "netns"),
    (dict(state="attached", netns="ns1", ifname="x" * 16), "ifname"),
    (dict(subnets=None), "needs either subnets"),
])
def test_check_params_names_the_option_that_cannot_work(host, options, fragment):
    with pytest.raises(InvalidConflist, match=fragment):
        converge.check_params(host.params(**options))


def test_absent_of_an_unknown_network_changes_nothing(host):
    outcome = host.run(host.params(state="absent"))
    assert outcome.result() == {"changed": False, "actions": [], "network": None}


def test_absent_removes_the_file_the_bridge_and_the_ipam_state(host, kernel):
    host.run(host.params())
    kernel["bridges"] = {"br-web": {"members": []}}
    os.makedirs(os.path.join(host.ipam_dir, "web"))
    outcome = host.run(host.params(state="absent"))
    ipam = os.path.join(host.ipam_dir, "web")
    assert outcome.actions == ["removed %s" % conflist_path(host), "removed bridge br-web",
                               "removed IPAM state %s" % ipam]
    assert not os.path.exists(conflist_path(host)) and not os.path.exists(ipam)
    assert kernel["deleted"] == ["br-web"]


def test_absent_keeps_a_bridge_something_is_plugged_into_and_warns(host, kernel):
    host.run(host.params())
    kernel["bridges"] = {"br-web": {"members": ["veth9"]}}
    outcome = host.run(host.params(state="absent"))
    assert "removed bridge br-web" not in outcome.actions
    assert outcome.warnings == ["bridge br-web of network web is kept: veth9 still plugged into it"]


def test_absent_in_check_mode_removes_nothing(host):
    host.run(host.params())
    outcome = host.run(host.params(state="absent"), check_mode=True)
    assert outcome.changed and os.path.exists(conflist_path(host))


def test_absent_of_a_network_in_use_fails_with_its_attachments(host):
    host.run(host.params())
    host.run(host.params(state="attached", netns="ns1"))
    with pytest.raises(CniError) as caught:
        host.run(host.params(state="absent"))
    assert caught.value.message.startswith("network web still has 1 attachment(s): ns1 (eth0, netns ")
    assert [a["container_id"] for a in caught.value.details()["attachments"]] == ["ns1"]
    assert os.path.exists(conflist_path(host))


def test_attached_creates_the_netns_runs_add_and_caches_the_result(host, kernel):
    host.run(host.params())
    outcome = host.run(host.params(state="attached", netns="ns1", ports=["8080:80"]))
    assert outcome.changed and outcome.actions == ["created network namespace ns1",
                                                   "attached ns1 (eth0) to network web"]
    assert kernel["created"] == ["ns1"]
    assert [c for c in host.runner.commands() if c[0] != "VERSION"] == [("ADD", "bridge"), ("ADD", "portmap")]
    assert outcome.attachment["ips"] == ["10.88.0.2/16", "fd00::2/64"]
    assert outcome.attachment["ports"] == [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]
    assert outcome.result(diff=True)["diff"] == {"before": {"attachment": None}, "after": {"attachment": {
        "netns": "/var/run/netns/ns1", "ifname": "eth0", "ips": ["10.88.0.2/16", "fd00::2/64"],
        "ports": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}}}
    cache = os.path.join(host.cache_dir, "results", "web-ns1-eth0")
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600


def test_attached_twice_only_checks_the_second_time(host):
    host.run(host.params())
    host.run(host.params(state="attached", netns="ns1"))
    del host.runner.calls[:]
    outcome = host.run(host.params(state="attached", netns="ns1"))
    assert (outcome.changed, outcome.actions) == (False, [])
    assert host.runner.commands() == [("CHECK", "bridge"), ("CHECK", "portmap")]


def test_attached_in_check_mode_runs_no_plugin_and_creates_no_netns(host, kernel):
    host.run(host.params())
    del host.runner.calls[:]
    outcome = host.run(host.params(state="attached", netns="ns1", ips=["10.88.0.9"]), check_mode=True)
    assert outcome.changed and outcome.attachment["ips"] == ["10.88.0.9"]
    assert host.runner.calls == [] and kernel["created"] == []


def test_attached_to_an_undefined_network_says_to_create_it(host):
    with pytest.raises(InvalidConflist, match="network web is not defined in .*state=present"):
        host.run(host.params(state="attached", netns="ns1"))


def test_attached_with_ports_on_a_network_without_portmap_fails(host):
    host.run(host.params(port_mappings=False))
    with pytest.raises(InvalidConflist, match="cannot publish ports"):
        host.run(host.params(state="attached", netns="ns1", ports=["8080:80"], port_mappings=False))


def test_a_failed_add_removes_the_netns_it_created(host, kernel):
    host.run(host.params())
    host.runner.answers[("ADD", "portmap")] = (1, json.dumps({"code": 999, "msg": "iptables said no"}), "")
    with pytest.raises(CniError, match="iptables said no"):
        host.run(host.params(state="attached", netns="ns1"))
    assert kernel["removed"] == ["ns1"]
    assert host.runner.commands()[-2:] == [("DEL", "portmap"), ("DEL", "bridge")]


def test_detached_runs_del_and_removes_the_netns(host, kernel):
    host.run(host.params())
    host.run(host.params(state="attached", netns="ns1"))
    del host.runner.calls[:]
    outcome = host.run(host.params(state="detached", netns="ns1"))
    assert outcome.actions == ["detached ns1 (eth0) from network web", "removed network namespace ns1"]
    assert host.runner.commands() == [("DEL", "portmap"), ("DEL", "bridge")]
    assert kernel["removed"] == ["ns1"] and outcome.attachment["container_id"] == "ns1"
    assert outcome.result(diff=True)["diff"]["after"] == {"attachment": None}


def test_detached_with_keep_netns_keeps_it(host, kernel):
    host.run(host.params())
    host.run(host.params(state="attached", netns="ns1"))
    outcome = host.run(host.params(state="detached", netns="ns1", keep_netns=True))
    assert outcome.actions == ["detached ns1 (eth0) from network web"] and kernel["removed"] == []


def test_detached_of_what_is_not_attached_changes_nothing(host):
    outcome = host.run(host.params(state="detached", netns="ns1"))
    assert outcome.result() == {"changed": False, "actions": [], "network": None, "attachment": None}


def test_check_params_reports_every_bad_option_at_once_in_option_order(host):
    with pytest.raises(InvalidConflist) as caught:
        converge.check_params(host.params(name="-bad", state="attached", netns="bad/ns", container_id="-c"))
    assert [part.split(" ")[0] for part in caught.value.message.split("; ")] == ["network", "netns", "container_id"]


def test_absent_removes_only_lease_shaped_files_from_the_ipam_directory(host, kernel):
    host.run(host.params())
    kernel["bridges"] = {"br-web": {"members": []}}
    ipam = os.path.join(host.ipam_dir, "web")
    os.makedirs(ipam)
    for name in ("lock", "last_reserved_ip.0", "sshd_config"):  # leases would be attachments
        with open(os.path.join(ipam, name), "w") as out:
            out.write("x")
    outcome = host.run(host.params(state="absent"))
    assert os.listdir(ipam) == ["sshd_config"]
    assert outcome.warnings == ["kept %s: it holds files that are not host-local IPAM state" % ipam]
