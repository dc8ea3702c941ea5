# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image operations of the client (mixed into ``client.CtrClient``; uses ``self.run``)."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils import parse


class ImageOps(object):
    def images(self, namespace=None):
        return parse.parse_images(self.run(["images", "ls"], namespace=namespace))
