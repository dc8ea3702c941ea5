# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The to_toml / from_toml / registry_hosts filters."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.containerd.runtime.plugins.filter.registry import FilterModule as RegistryFilters
from ansible_collections.containerd.runtime.plugins.filter.toml import from_toml, to_toml


def test_round_trip_of_a_containerd_style_document():
    data = {"version": 3, "plugins": {"io.containerd.cri.v1.images": {"pinned_images": {"sandbox": "p:1"}}},
            "list": [1, 2], "tables": [{"a": 1}, {"a": 2}], "f": 0.02, "b": True}
    text = to_toml(data)
    assert '[plugins."io.containerd.cri.v1.images".pinned_images]' in text
    assert from_toml(text) == data


def test_errors_are_filter_errors():
    with pytest.raises(AnsibleFilterError, match="needs a dict"):
        to_toml(["x"])
    with pytest.raises(AnsibleFilterError, match="invalid TOML"):
        from_toml("a = ")
    with pytest.raises(AnsibleFilterError):
        to_toml({"a": None})


def test_registry_filters():
    filters = RegistryFilters().filters()
    assert filters["registry_hosts"]({"name": "r", "server": "http://r"}) == {"server": "http://r"}
    assert filters["registry_has_credentials"]({"name": "r", "password": "x", "username": "u"})
    with pytest.raises(AnsibleFilterError, match="needs a name"):
        filters["registry_hosts"]({})
