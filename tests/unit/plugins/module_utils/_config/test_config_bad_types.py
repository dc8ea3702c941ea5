# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Options of the wrong type are clean errors naming the option, never tracebacks."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._config import schema
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConfig


@pytest.mark.parametrize("entry, message", [
    ({"name": "r.local", "capabilities": 5}, "capabilities must be a list"),
    ({"name": "r.local", "headers": ["X-A: secret"]}, "headers must be a dict"),
])
def test_registry_entries_of_the_wrong_type_fail_naming_the_option(entry, message):
    with pytest.raises(InvalidConfig, match=message) as error:
        schema.registry_hosts(entry)
    assert "secret" not in str(error.value)


def test_headers_of_the_wrong_type_count_as_credentials():
    assert schema.has_credentials({"name": "r.local", "headers": ["Authorization: x"]})


def test_runtimes_as_a_list_fails_naming_the_option():
    with pytest.raises(InvalidConfig, match="settings.runtimes must be a dict"):
        schema.settings_document({"version": 2}, {"runtimes": ["runc"]})
