# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container operations of the client (mixed into ``client.CtrClient``; uses ``self.run``)."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils import parse


class ContainerOps(object):
    def containers(self, namespace=None):
        return parse.parse_containers(self.run(["containers", "ls"], namespace=namespace))
