# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the ``containerd_info`` module reports about a daemon."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import versions


def gather(params, client):
    """Versions, plugins and namespaces, plus the images, containers and tasks ``params`` ask for."""
    result = dict(
        changed=False,
        version=client.version(),
        server_version=".".join(str(part) for part in client.server_version),
        features=dict((feature, client.has(feature)) for feature in sorted(versions.FEATURES)),
        plugins=client.plugins(),
        namespaces=client.namespaces(),
    )
    for kind, lister in (("images", client.images), ("containers", client.containers), ("tasks", client.tasks)):
        if params[kind]:
            result[kind] = lister()
    return result
