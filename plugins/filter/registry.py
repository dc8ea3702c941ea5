# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``registry_hosts``: one registry entry as the data of its hosts.toml. Documented in registry_hosts.yml."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.containerd.runtime.plugins.module_utils._config.schema import has_credentials, registry_hosts
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConfig


def _registry_hosts(entry):
    try:
        return registry_hosts(entry)
    except InvalidConfig as error:
        raise AnsibleFilterError(str(error)) from error


def _registry_has_credentials(entry):
    return has_credentials(entry)


class FilterModule(object):
    def filters(self):
        return {"registry_hosts": _registry_hosts, "registry_has_credentials": _registry_has_credentials}
