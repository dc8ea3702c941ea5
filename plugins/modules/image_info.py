#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: image_info
short_description: List the images of a containerd namespace
version_added: 0.4.0
description:
  - Lists the images of a namespace (C(ctr images ls) and C(ctr images check)), optionally only those
    with the given names. Never changes anything.
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
attributes:
  check_mode:
    support: full
    details: The module changes nothing.
  diff_mode:
    support: none
options:
  name:
    description:
      - Only the images with these references. Short names are normalised as in M(containerd.runtime.image)
        (V(busybox) is V(docker.io/library/busybox:latest)).
    type: list
    elements: str
    aliases: [names]
  snapshotter:
    description:
      - Snapshotter for which RV(images[].unpacked) is reported; default containerd's default snapshotter.
    type: str
"""

EXAMPLES = r"""
- name: Every image of the namespace
  containerd.runtime.image_info:
  register: images

- name: Is busybox there, and complete?
  containerd.runtime.image_info:
    name: busybox
  register: busybox

- ansible.builtin.debug:
    msg: "{{ busybox.images[0].digest if busybox.images else 'no busybox' }}"
"""

RETURN = r"""
images:
  description: The images, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Canonical reference.
      type: str
      sample: docker.io/library/busybox:latest
    digest:
      description: Digest of the image's manifest (or index).
      type: str
    media_type:
      description: Media type of the manifest or index.
      type: str
    size:
      description: Size as ctr shows it.
      type: str
    size_bytes:
      description: Approximate size in bytes.
      type: int
    platforms:
      description: Platforms of the image.
      type: list
      elements: str
    labels:
      description: Labels of the image.
      type: dict
    complete:
      description: Whether all the image's content is in the content store.
      type: bool
    unpacked:
      description: Whether the image is unpacked for the snapshotter.
      type: bool
missing:
  description: The names asked for that are not there.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.module import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils._image.info import image_info, wanted_names

ARGUMENT_SPEC = argument_spec(
    name=dict(type="list", elements="str", aliases=["names"]),
    snapshotter=dict(type="str"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        names = wanted_names(module.params)
        client = client_for(module)
        found = image_info(client, names, module.params["snapshotter"])
    except CollectionError as error:
        fail(module, error)
    module.exit_json(changed=False, **found)


if __name__ == "__main__":
    main()
