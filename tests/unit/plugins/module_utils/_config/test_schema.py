# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Merge, schema and hosts.toml logic of the containerd role (module_utils/_config/schema.py)."""
import base64

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._config import schema as cc
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConfig
V2 = {
    "version": 2, "root": "/var/lib/containerd", "state": "/run/containerd",
    "grpc": {"address": "/run/containerd/containerd.sock", "uid": 0, "gid": 0},
    "debug": {"level": ""},
    "plugins": {
        "io.containerd.grpc.v1.cri": {
            "sandbox_image": "registry.k8s.io/pause:3.8",
            "containerd": {"snapshotter": "overlayfs", "runtimes": {
                "runc": {"runtime_type": "io.containerd.runc.v2", "options": {"SystemdCgroup": False}}}},
            "registry": {"config_path": "", "mirrors": {}},
            "cni": {"bin_dir": "/opt/cni/bin", "conf_dir": "/etc/cni/net.d"},
        },
        "io.containerd.transfer.v1.local": {"config_path": ""},
    },
}
V3 = {
    "version": 3, "root": "/var/lib/containerd", "state": "/run/containerd",
    "grpc": {"address": "/run/containerd/containerd.sock"},
    "plugins": {
        "io.containerd.cri.v1.images": {"snapshotter": "overlayfs", "pinned_images": {"sandbox": "pause:3.10"},
                                        "registry": {"config_path": ""}},
        "io.containerd.cri.v1.runtime": {
            "containerd": {"runtimes": {"runc": {"runtime_type": "io.containerd.runc.v2",
                                                 "options": {"SystemdCgroup": False, "BinaryName": ""}}}},
            "cni": {"bin_dirs": ["/usr/lib/cni", "/opt/cni/bin"], "conf_dir": "/etc/cni/net.d"}},
        "io.containerd.transfer.v1.local": {"config_path": ""},
    },
}


def test_deep_merge_merges_tables_replaces_values_and_deletes_null():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": 1}
    merged = cc.deep_merge(base, {"a": {"c": [3], "n": {"x": None, "y": 2}}, "d": None, "f": True})
    assert merged == {"a": {"b": 1, "c": [3], "n": {"y": 2}}, "e": 1, "f": True}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": 1}  # not modified


@pytest.mark.parametrize("default, message", [
    ({"root": "/x"}, "config version 1"),
    ({"version": 5}, "does not know"),
    ({"version": 1}, "does not know"),
])
def test_unknown_schema_is_a_clear_error(default, message):
    with pytest.raises(InvalidConfig, match=message):
        cc.build_config(default, {"root": "/x"})


def test_v2_settings_land_at_the_cri_plugin_keys():
    config, version = cc.build_config(V2, {
        "systemd_cgroup": True, "sandbox_image": "reg/pause:1", "registry_config_path": "/etc/containerd/certs.d",
        "snapshotter": "native", "cni_bin_dir": "/opt/cni/bin2", "root": "/data", "debug_level": None})
    cri = config["plugins"]["io.containerd.grpc.v1.cri"]
    assert version == 2
    assert cri["containerd"]["runtimes"]["runc"]["options"]["SystemdCgroup"] is True
    assert cri["sandbox_image"] == "reg/pause:1"
    assert cri["registry"]["config_path"] == "/etc/containerd/certs.d"
    assert config["plugins"]["io.containerd.transfer.v1.local"]["config_path"] == "/etc/containerd/certs.d"
    assert cri["containerd"]["snapshotter"] == "native" and cri["cni"]["bin_dir"] == "/opt/cni/bin2"
    assert config["root"] == "/data" and config["debug"]["level"] == ""  # None keeps the default
    assert cri["registry"]["mirrors"] == {} and config["grpc"]["uid"] == 0


def test_v3_settings_land_at_the_split_cri_plugins():
    config, version = cc.build_config(V3, {"systemd_cgroup": True, "sandbox_image": "reg/pause:1",
                                           "registry_config_path": "/certs.d", "cni_bin_dir": "/cni"})
    images = config["plugins"]["io.containerd.cri.v1.images"]
    runtime = config["plugins"]["io.containerd.cri.v1.runtime"]
    assert version == 3
    assert images["pinned_images"]["sandbox"] == "reg/pause:1" and "sandbox_image" not in images
    assert images["registry"]["config_path"] == "/certs.d"
    assert runtime["containerd"]["runtimes"]["runc"]["options"] == {"SystemdCgroup": True, "BinaryName": ""}
    assert runtime["cni"]["bin_dirs"] == ["/cni"] and "bin_dir" not in runtime["cni"]
    assert "io.containerd.grpc.v1.cri" not in config["plugins"]


def test_optional_keys_are_skipped_where_the_version_lacks_them():
    default = cc.deep_merge(V2, {"plugins": {"io.containerd.transfer.v1.local": None}})  # 1.6 has no transfer
    config, _version = cc.build_config(default, {"registry_config_path": "/c"})
    assert "io.containerd.transfer.v1.local" not in config["plugins"]
    v30 = cc.deep_merge(V3, {"plugins": {"io.containerd.cri.v1.runtime": {"cni": {"bin_dirs": None,
                                                                                  "bin_dir": "/opt/cni/bin"}}}})
    config, _version = cc.build_config(v30, {"cni_bin_dir": ["/cni"]})
    assert config["plugins"]["io.containerd.cri.v1.runtime"]["cni"] == {"bin_dir": "/cni", "conf_dir": "/etc/cni/net.d"}


def test_extra_runtimes_get_runc_type_and_systemd_cgroup_unless_they_set_it():
    config, _version = cc.build_config(V3, {"systemd_cgroup": True, "runtimes": {
        "alt": {"options": {"BinaryName": "/opt/runc-alt"}},
        "own": {"options": {"SystemdCgroup": False}},
        "kata": {"runtime_type": "io.containerd.kata.v2"}}})
    runtimes = config["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]
    assert runtimes["alt"] == {"runtime_type": "io.containerd.runc.v2",
                               "options": {"BinaryName": "/opt/runc-alt", "SystemdCgroup": True}}
    assert runtimes["own"]["options"]["SystemdCgroup"] is False
    assert runtimes["kata"] == {"runtime_type": "io.containerd.kata.v2"}
    assert runtimes["runc"]["options"]["SystemdCgroup"] is True


def test_overrides_come_last_and_cannot_change_the_version():
    config, _version = cc.build_config(V2, {"sandbox_image": "a"}, {
        "plugins": {"io.containerd.grpc.v1.cri": {"sandbox_image": "b"}}, "grpc": {"address": 5}})
    assert config["plugins"]["io.containerd.grpc.v1.cri"]["sandbox_image"] == "b"
    assert config["grpc"]["address"] == 5  # containerd itself judges the types (config dump)
    with pytest.raises(InvalidConfig, match="must not change the config version"):
        cc.build_config(V2, {}, {"version": 3})
    with pytest.raises(InvalidConfig, match="unknown settings: colour"):
        cc.build_config(V2, {"colour": "red"})


def test_describe_paths_quotes_plugin_names():
    assert cc.describe_paths(V2)["sandbox_image"] == ['plugins."io.containerd.grpc.v1.cri".sandbox_image']
    assert cc.describe_paths(V3)["sandbox_image"] == ['plugins."io.containerd.cri.v1.images".pinned_images.sandbox']


def test_registry_hosts_with_mirrors_and_credentials():
    entry = {"name": "docker.io", "server": "https://registry-1.docker.io", "ca": "/etc/ca.pem",
             "mirrors": ["http://m1:5000",
                         {"url": "https://m2", "username": "u", "password": "p:w", "client_cert": "/c",
                          "client_key": "/k", "headers": {"X-A": "1"}, "capabilities": ["pull"]}]}
    hosts = cc.registry_hosts(entry)
    assert hosts["server"] == "https://registry-1.docker.io" and hosts["ca"] == "/etc/ca.pem"
    assert list(hosts["host"]) == ["http://m1:5000", "https://m2"]  # order is the order tried
    assert hosts["host"]["http://m1:5000"] == {"capabilities": ["pull", "resolve"]}
    m2 = hosts["host"]["https://m2"]
    assert m2["client"] == [["/c", "/k"]] and m2["capabilities"] == ["pull"]
    assert m2["header"] == {"X-A": "1", "Authorization": "Basic " + base64.b64encode(b"u:p:w").decode()}
    assert cc.has_credentials(entry) and not cc.has_credentials({"name": "x", "mirrors": ["http://m"]})
    assert cc.registry_hosts({"name": "r", "token": "t"})["header"] == {"Authorization": "Bearer t"}


@pytest.mark.parametrize("entry, message", [
    ({"server": "x"}, "needs a name"),
    ({"name": "a/b"}, "needs a name"),
    ({"name": "r", "mirros": []}, "unknown keys mirros"),
    ({"name": "r", "username": "u"}, "username and password go together"),
    ({"name": "r", "mirrors": [{"capabilities": ["pull"]}]}, "each mirror needs a url"),
    ({"name": "r", "mirrors": [{"url": "http://m", "capabilities": ["fetch"]}]}, "unknown capabilities fetch"),
])
def test_registry_entry_errors(entry, message):
    with pytest.raises(InvalidConfig, match=message):
        cc.registry_hosts(entry)
