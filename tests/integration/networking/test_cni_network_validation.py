# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cni_network rejects bad input with a clear message before anything is written or created."""
import pytest

from cni_helpers import host_links, netns_names
from harness.assertions import assert_clean_failure


def assert_nothing_written(cni):
    assert not cni.conf_dir.exists() or list(cni.conf_dir.iterdir()) == []


@pytest.mark.parametrize("subnet, fragment", [
    ("10.300.0.0/24", "is not a valid subnet"),
    ("10.1.2.3/24", "has host bits set"),
    ("not-a-subnet", "is not a valid subnet"),
])
def test_invalid_subnet_is_rejected(ansible, cni, subnet, fragment):
    result = ansible.module("cni_network", cni.bridge_network(cni.network(), subnets=[subnet]))
    assert_clean_failure(result, fragment, subnet)
    assert_nothing_written(cni)


def test_missing_plugin_binary_is_rejected(ansible, cni):
    result = ansible.module("cni_network", cni.common(name=cni.network(), plugins=[{"type": "no-such-plugin"}]))
    assert_clean_failure(result, "'no-such-plugin' is not in %s" % cni.bin_dir)
    assert_nothing_written(cni)


def test_bridge_name_longer_than_15_characters_is_rejected(ansible, cni):
    result = ansible.module("cni_network", cni.bridge_network(cni.network(), bridge="b" * 16,
                                                              subnets=[cni.subnet4()]))
    assert_clean_failure(result, "bridge name", "16 characters long", "at most 15")
    assert_nothing_written(cni)


def test_subnet_overlapping_another_network_is_rejected(ansible, cni):
    first, second = cni.network(), cni.network()
    subnet = cni.subnet4()
    assert ansible.module("cni_network", cni.bridge_network(first, subnets=[subnet]))["status"] == "changed"
    wider = subnet.replace(".0/24", ".0/23") if int(subnet.split(".")[2]) % 2 == 0 else subnet
    result = ansible.module("cni_network", cni.bridge_network(second, subnets=[wider]))
    assert_clean_failure(result, "overlaps %s of network %s" % (subnet, first))
    assert [p.name for p in cni.conf_dir.iterdir()] == ["10-%s.conflist" % first]


def test_unsupported_cni_version_is_rejected(ansible, cni):
    result = ansible.module("cni_network", cni.bridge_network(cni.network(), subnets=[cni.subnet4()],
                                                              cni_version="1.1.0"))
    assert_clean_failure(result, "does not support cniVersion 1.1.0")
    assert_nothing_written(cni)


def test_plugins_and_bridge_options_are_mutually_exclusive(ansible, cni):
    result = ansible.module("cni_network", cni.common(name=cni.network(), plugins=[{"type": "bridge"}],
                                                      subnets=[cni.subnet4()]))
    assert_clean_failure(result, "mutually exclusive")
    assert_nothing_written(cni)


def test_static_ip_outside_the_subnet_is_rejected_before_the_netns_is_created(ansible, cni):
    name = cni.network()
    args = cni.bridge_network(name, subnets=["10.198.7.0/24"])
    assert ansible.module("cni_network", args)["status"] == "changed"
    ns = cni.ns()
    result = ansible.module("cni_network", cni.common(name=name, state="attached", netns=ns, ips=["10.198.8.5"]))
    assert_clean_failure(result, "static IP 10.198.8.5 is not in any subnet", "10.198.7.0/24")
    assert ns not in netns_names() and args["bridge"] not in host_links() and cni.cache_entries() == []


def test_bad_port_and_ports_without_portmap_are_rejected(ansible, cni):
    name = cni.network()
    assert ansible.module("cni_network", cni.bridge_network(name, subnets=[cni.subnet4()]))["status"] == "changed"
    ns = cni.ns()
    play = ansible.run([
        {"containerd.runtime.cni_network": cni.common(name=name, state="attached", netns=ns, ports=["80:x"])},
        {"containerd.runtime.cni_network": cni.common(name=name, state="attached", netns=ns, ports=["8080:80"])},
    ])
    assert_clean_failure(dict(play[0], status=play.status(0)), "port '80:x' is not")
    assert_clean_failure(dict(play[1], status=play.status(1)), "cannot publish ports", "port_mappings: true")
    assert ns not in netns_names()


def test_attaching_to_an_undefined_network_fails(ansible, cni):
    ns = cni.ns()
    result = ansible.module("cni_network", cni.common(name=cni.network(), state="attached", netns=ns))
    assert_clean_failure(result, "is not defined in", "state=present")
    assert ns not in netns_names()


@pytest.mark.parametrize("plugin, field", [
    ({"type": "bridge", "ipam": {"type": "../../../../tmp/x"}}, "ipam.type"),
    ({"type": "tuning", "delegate": {"type": "/usr/bin/true"}}, "delegate.type"),
])
def test_a_nested_plugin_type_that_is_a_path_is_rejected(ansible, cni, plugin, field):
    result = ansible.module("cni_network", cni.common(name=cni.network(), plugins=[plugin]))
    assert_clean_failure(result, field, "bare file name")
    assert_nothing_written(cni)
