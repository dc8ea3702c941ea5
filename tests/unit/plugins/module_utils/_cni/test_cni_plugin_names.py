# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CNI plugin names and directories never lead out of the bin dir, in new and in cached configurations."""
import base64
import json

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._cni import runtime as cni
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CniError


def conflist(plugin):
    return {"cniVersion": "1.0.0", "name": "web", "plugins": [plugin]}


@pytest.mark.parametrize("plugin, field", [
    ({"type": "bridge", "ipam": {"type": "../../../tmp/x"}}, "ipam.type"),
    ({"type": "tuning", "delegate": {"type": "/usr/bin/evil"}}, "delegate.type"),
    ({"type": "bridge", "ipam": {"type": ".."}}, "ipam.type"),
])
def test_a_nested_plugin_type_with_a_path_is_rejected_naming_the_field(plugin, field):
    errors = cni_config.shape_errors(conflist(plugin))
    assert any(field in error and "bare file name" in error for error in errors), errors


def test_a_plugin_name_with_a_path_is_never_found(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "x").write_text("")
    assert cni_config.find_plugin("../x", [str(tmp_path / "bin")]) is None


@pytest.mark.parametrize("bin_dir, cache_dir", [(["relative/bin"], "/var/lib/cni"), (["/opt/cni/bin"], "/var/../etc"),
                                                ([5], "/var/lib/cni")])
def test_directories_read_back_from_labels_are_validated(bin_dir, cache_dir):
    with pytest.raises(CniError, match="must be an absolute path without '..'"):
        cni.CniRuntime(None, bin_dir, cache_dir)


def test_a_cached_configuration_with_a_path_as_plugin_type_is_not_trusted(tmp_path):
    bad = conflist({"type": "bridge", "ipam": {"type": "../../x"}})
    path = tmp_path / "entry"
    path.write_text(json.dumps({"kind": cni.CACHE_KIND, "containerId": "c", "ifName": "eth0", "networkName": "web",
                                "config": base64.b64encode(json.dumps(bad).encode()).decode()}))
    assert cni._decode_entry(str(path))["conflist"] is None  # pylint: disable=protected-access
