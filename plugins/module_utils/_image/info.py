# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image_info module's reading: the images of a namespace with their completeness and unpack state."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidOptions, InvalidReference


def wanted_names(params):
    """The canonical references of O(name), None for every image; InvalidOptions for invalid references."""
    if not params["name"]:
        return None
    names, errors = [], []
    for value in params["name"]:
        try:
            names.append(reference.normalize(value))
        except InvalidReference as exc:
            errors.append(exc.message)
    if errors:
        raise InvalidOptions("; ".join(errors))
    return names


def image_info(client, names=None, snapshotter=None):
    """{'images': the images (only ``names`` unless None) sorted by name, 'missing': the names not there}."""
    listing = client.images()
    checked = client.image_check(snapshotter)
    images = []
    for image in sorted(listing, key=lambda item: item["name"]):
        if names is not None and image["name"] not in names:
            continue
        check = checked.get(image["name"]) or {}
        images.append(dict(image, complete=bool(check.get("complete")), unpacked=bool(check.get("unpacked"))))
    found = set(image["name"] for image in images)
    return dict(images=images, missing=[name for name in (names or []) if name not in found])
