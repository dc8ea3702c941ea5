# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where every setting lands per config schema, fed with real (1.6, 1.7, 2.1) and reconstructed (2.3, 2.4)
``containerd config default`` documents (tests/unit/fixtures/config/, each file names its source)."""
import tomllib
from pathlib import Path

import pytest
import tomli_w

from ansible_collections.containerd.runtime.plugins.module_utils._config import schema as cc
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConfig

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "config"
DEFAULTS = ["v2-1.6", "v2-1.7", "v3-2.1", "v4", "v4-2.4"]
CRI2, IMAGES, RUNTIME = "io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images", "io.containerd.cri.v1.runtime"
GRPC4, METRICS4, TTRPC4 = "io.containerd.server.v1.grpc", "io.containerd.server.v1.metrics", "io.containerd.server.v1.ttrpc"
# the settings the golden outputs were rendered with (before version 4 was added)
SETTINGS = {"root": "/data/containerd", "state": "/run/c", "grpc_address": "/run/c/c.sock", "grpc_uid": 1000,
            "grpc_gid": 1001, "debug_level": "debug", "metrics_address": "127.0.0.1:1338", "snapshotter": "native",
            "systemd_cgroup": True, "sandbox_image": "reg.local/pause:9",
            "registry_config_path": "/etc/containerd/certs.d",
            "runtimes": {"crun": {"options": {"BinaryName": "/usr/bin/crun"}}}, "cni_bin_dir": "/opt/cni/bin",
            "cni_conf_dir": "/etc/cni/net.d"}
VALUES = dict(SETTINGS, systemd_cgroup=True)
RUNC = ("containerd", "runtimes", "runc", "options", "SystemdCgroup")

# setting -> schema -> every path it must be at (the value is the setting's unless a (path, value) pair)
WHERE = {
    "root": {2: [("root",)], 3: [("root",)], 4: [("root",)]},
    "state": {2: [("state",)], 3: [("state",)], 4: [("state",)]},
    "grpc_address": {2: [("grpc", "address")], 3: [("grpc", "address")],
                     4: [("plugins", GRPC4, "address"), (("plugins", TTRPC4, "address"), "/run/c/c.sock.ttrpc")]},
    "grpc_uid": {2: [("grpc", "uid")], 3: [("grpc", "uid")], 4: [("plugins", GRPC4, "uid")]},
    "grpc_gid": {2: [("grpc", "gid")], 3: [("grpc", "gid")], 4: [("plugins", GRPC4, "gid")]},
    "debug_level": {2: [("debug", "level")], 3: [("debug", "level")], 4: [("debug", "level")]},
    "metrics_address": {2: [("metrics", "address")], 3: [("metrics", "address")],
                        4: [("plugins", METRICS4, "address")]},
    "snapshotter": {2: [("plugins", CRI2, "containerd", "snapshotter")], 3: [("plugins", IMAGES, "snapshotter")],
                    4: [("plugins", IMAGES, "snapshotter")]},
    "sandbox_image": {2: [("plugins", CRI2, "sandbox_image")], 3: [("plugins", IMAGES, "pinned_images", "sandbox")],
                      4: [("plugins", IMAGES, "pinned_images", "sandbox")]},
    "registry_config_path": {
        2: [("plugins", CRI2, "registry", "config_path"), ("plugins", "io.containerd.transfer.v1.local", "config_path")],
        3: [("plugins", IMAGES, "registry", "config_path"), ("plugins", "io.containerd.transfer.v1.local", "config_path")],
        4: [("plugins", IMAGES, "registry", "config_path"), ("plugins", "io.containerd.transfer.v1.local", "config_path")]},
    "cni_conf_dir": {2: [("plugins", CRI2, "cni", "conf_dir")], 3: [("plugins", RUNTIME, "cni", "conf_dir")],
                     4: [("plugins", RUNTIME, "cni", "conf_dir")]},
    "cni_bin_dir": {2: [("plugins", CRI2, "cni", "bin_dir")],
                    3: [(("plugins", RUNTIME, "cni", "bin_dirs"), ["/opt/cni/bin"])],
                    4: [(("plugins", RUNTIME, "cni", "bin_dirs"), ["/opt/cni/bin"])]},
    "systemd_cgroup": {2: [(("plugins", CRI2) + RUNC, True)], 3: [(("plugins", RUNTIME) + RUNC, True)],
                       4: [(("plugins", RUNTIME) + RUNC, True)]},
    "runtimes": {2: [(("plugins", CRI2, "containerd", "runtimes", "crun", "options", "BinaryName"), "/usr/bin/crun")],
                 3: [(("plugins", RUNTIME, "containerd", "runtimes", "crun", "options", "BinaryName"), "/usr/bin/crun")],
                 4: [(("plugins", RUNTIME, "containerd", "runtimes", "crun", "options", "BinaryName"), "/usr/bin/crun")]},
}


def load(name):
    with open(FIXTURES / ("default-%s.toml" % name), "rb") as handle:
        return tomllib.load(handle)


def lookup(data, path):
    for key in path:
        data = data[key]
    return data


def test_every_setting_has_a_place_in_every_schema():
    assert set(WHERE) == set(cc.SETTINGS)
    assert all(set(where) == {2, 3, 4} for where in WHERE.values())


@pytest.mark.parametrize("name", DEFAULTS)
@pytest.mark.parametrize("setting", sorted(WHERE))
def test_setting_lands_at_the_schema_key(setting, name):
    default = load(name)
    config, version = cc.build_config(default, {setting: VALUES[setting]})
    assert version == default["version"]
    wanted = []
    for spec in WHERE[setting][version]:
        path, value = spec if isinstance(spec[0], tuple) else (spec, VALUES[setting])
        if path[-1] == "config_path" and path[1] not in default["plugins"]:
            continue  # the transfer service came in 1.7
        assert lookup(config, path) == value, path
        wanted.append(path)
    # and nowhere else: every leaf that differs from the defaults is one of those (or a new table on the way)
    for changed in _leaves_changed(default, config):
        assert any(changed[:len(path)] == path or path[:len(changed)] == changed for path in wanted), changed


def _leaves_changed(before, after, prefix=()):
    for key, value in after.items():
        if isinstance(value, dict) and isinstance(before.get(key), dict):
            yield from _leaves_changed(before[key], value, prefix + (key,))
        elif before.get(key) != value:
            yield prefix + (key,)


@pytest.mark.parametrize("name", ["v2-1.6", "v2-1.7", "v3-2.1"])
def test_version_2_and_3_output_is_unchanged(name):
    config, _version = cc.build_config(load(name), SETTINGS, {"oom_score": -999})
    golden = tomllib.loads((FIXTURES / ("golden-%s.toml" % name)).read_text())
    assert config == golden
    assert tomli_w.dumps(config) == tomli_w.dumps(golden)


@pytest.mark.parametrize("name", ["v4", "v4-2.4"])
def test_version_4_output_has_no_top_level_server_tables(name):
    config, version = cc.build_config(load(name), SETTINGS)
    assert version == 4
    assert not set(config) & {"grpc", "ttrpc", "metrics"}
    assert set(config["debug"]) == {"level", "format"}


@pytest.mark.parametrize("override, message", [
    ({"grpc": {"address": "/x.sock"}}, r"\[grpc\].*io.containerd.server.v1.grpc"),
    ({"ttrpc": {"address": "/x.sock"}}, r"\[ttrpc\].*io.containerd.server.v1.ttrpc"),
    ({"metrics": {"address": "127.0.0.1:1"}}, r"\[metrics\].*io.containerd.server.v1.metrics"),
    ({"debug": {"address": "/d.sock"}}, r"debug.address.*io.containerd.server.v1.debug"),
])
def test_version_4_refuses_overrides_it_would_ignore(override, message):
    with pytest.raises(InvalidConfig, match=message):
        cc.build_config(load("v4"), {}, override)


def test_version_4_keeps_debug_level_and_format_overrides():
    config, _version = cc.build_config(load("v4"), {}, {"debug": {"format": "json"}})
    assert config["debug"] == {"level": "", "format": "json"}


def test_version_3_still_takes_the_top_level_tables():
    config, _version = cc.build_config(load("v3-2.1"), {}, {"ttrpc": {"address": "/t.sock"}})
    assert config["ttrpc"]["address"] == "/t.sock"


def test_removed_keys_are_dropped_with_a_warning_where_the_version_lacks_them():
    overrides = {"plugins": {RUNTIME: {"enable_cdi": False, "cni": {"bin_dir": "/x"}}}}
    warnings = []
    config, _version = cc.build_config(load("v4-2.4"), {}, overrides, warnings)
    assert "enable_cdi" not in config["plugins"][RUNTIME]
    assert "bin_dir" not in config["plugins"][RUNTIME]["cni"]
    assert len(warnings) == 2 and all("2.4 removed" in w for w in warnings)
    kept = []
    config, _version = cc.build_config(load("v4"), {}, overrides, kept)
    assert config["plugins"][RUNTIME]["enable_cdi"] is False and kept == []


def test_version_4_describe_paths_names_the_server_plugins_and_ttrpc():
    keys = cc.describe_paths(load("v4"))
    assert keys["grpc_address"][0] == 'plugins."io.containerd.server.v1.grpc".address'
    assert "io.containerd.server.v1.ttrpc" in keys["grpc_address"][1]
    assert keys["metrics_address"] == ['plugins."io.containerd.server.v1.metrics".address']


# ---- drop-in layout ---------------------------------------------------------------------------------

NVIDIA = {"runtime_type": "io.containerd.runc.v2", "options": {"BinaryName": "/usr/bin/nvidia-container-runtime"}}


def test_dropin_holds_only_the_settings_on_2x():
    root = {"version": 3, "plugins": {RUNTIME: {"containerd": {"runtimes": {"nvidia": NVIDIA}}}}}
    document, version = cc.dropin_document(load("v3-2.1"), {"sandbox_image": "p:1"}, {}, root)
    assert version == 3
    assert document == {"version": 3, "plugins": {IMAGES: {"pinned_images": {"sandbox": "p:1"}}}}


def test_dropin_on_1x_carries_the_root_table_of_each_plugin_it_sets():
    root = {"version": 2, "plugins": {CRI2: {"containerd": {"runtimes": {"nvidia": NVIDIA}}}}}
    document, _version = cc.dropin_document(load("v2-1.7"), {"systemd_cgroup": True}, {}, root)
    runtimes = document["plugins"][CRI2]["containerd"]["runtimes"]
    assert runtimes["nvidia"]["options"]["BinaryName"] == "/usr/bin/nvidia-container-runtime"
    assert runtimes["runc"]["options"]["SystemdCgroup"] is True


def test_dropin_takes_an_older_version_3_root():
    document, version = cc.dropin_document(load("v4"), {"grpc_address": "/g.sock"}, {}, {"version": 3})
    assert version == 3 and document["grpc"]["address"] == "/g.sock"


@pytest.mark.parametrize("root, message", [
    ({"version": 2}, "migrate config.toml"),
    ({}, "no config version"),
])
def test_dropin_refuses_roots_it_cannot_extend(root, message):
    with pytest.raises(InvalidConfig, match=message):
        cc.dropin_document(load("v3-2.1"), {}, {}, root)


@pytest.mark.parametrize("imports, covered", [
    ([], False),
    (["/etc/containerd/conf.d/*.toml"], True),
    (["conf.d/*.toml"], True),
    (["/etc/containerd/conf.d/50-containerd-runtime.toml"], True),
    (["/etc/containerd/other/*.toml"], False),
])
def test_imports_cover(imports, covered):
    assert cc.imports_cover({"imports": imports}, "/etc/containerd/config.toml",
                            "/etc/containerd/conf.d/50-containerd-runtime.toml") is covered


DROPIN = "/etc/containerd/conf.d/50-x.toml"


@pytest.mark.parametrize("text", [
    "version = 2\n# a comment\n[plugins]\n  x = 1\n",
    "version = 3\nimports = []\n\n[grpc]\naddress = 'a'\n",
    "version = 3\nimports = ['/a.toml',\n  '/b.toml']\n[debug]\nlevel = 'info'\n",
    "version = 3\nroot = '/r'",
])
def test_add_import_changes_nothing_else(text):
    new = cc.add_import(text, DROPIN)
    before, after = tomllib.loads(text), tomllib.loads(new)
    assert after["imports"][0] == DROPIN
    after["imports"] = after["imports"][1:]
    before.setdefault("imports", [])
    assert after == before
    assert [line for line in new.splitlines() if "50-x" not in line] == \
        [line for line in text.splitlines() if not line.startswith("imports")] or "imports" in text


def test_minimal_root_imports_the_dropin():
    assert tomllib.loads(cc.minimal_root(4, DROPIN)) == {"version": 4, "imports": [DROPIN]}
