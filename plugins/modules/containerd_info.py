#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: containerd_info
short_description: Facts about a containerd daemon, its plugins, namespaces and workloads
version_added: 0.4.0
description:
  - Reports the daemon's version, revision and UUID (C(ctr version)), its plugins and their status
    (C(ctr plugins ls)) and its namespaces with their labels (C(ctr namespaces ls)).
  - Optionally lists the images, containers and tasks of O(namespace).
  - Read-only; never reports a change.
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
options:
  images:
    description: Also list the images of O(namespace).
    type: bool
    default: false
  containers:
    description: Also list the containers of O(namespace).
    type: bool
    default: false
  tasks:
    description: Also list the tasks of O(namespace).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What containerd runs here
  containerd.runtime.containerd_info:
  register: containerd

- name: Fail on containerd older than 1.7
  ansible.builtin.assert:
    that: containerd.version.server.version_tuple is version_compare([1, 7], '>=')

- name: Workloads of the k8s.io namespace
  containerd.runtime.containerd_info:
    namespace: k8s.io
    containers: true
    tasks: true
"""

RETURN = r"""
version:
  description: Output of C(ctr version), client and server.
  returned: always
  type: dict
  contains:
    client:
      description: The ctr client, with C(version), C(revision), C(go_version) and C(version_tuple).
      type: dict
    server:
      description: The daemon, with C(version), C(revision), C(uuid) and C(version_tuple) (major, minor, patch).
      type: dict
  sample:
    client: {version: "1.7.24~ds1", revision: "1.7.24~ds1-6", go_version: "go1.23.5", version_tuple: [1, 7, 24]}
    server: {version: "1.7.24~ds1", revision: "1.7.24~ds1-6", uuid: "22848a9b-0ed9-4462-9ef5-80f753cb9b3a",
             version_tuple: [1, 7, 24]}
server_version:
  description: The daemon's version as C(major.minor.patch).
  returned: always
  type: str
  sample: 1.7.24
features:
  description:
    - What these releases of ctr and the daemon can do, by name, as the collection decides it from their versions
      (each feature is decided by the release of the binary it belongs to, ctr's or the daemon's).
    - V(deprecations) is C(ctr deprecations list) (containerd 1.6.25, 1.7.9, 2.0 and later).
  returned: always
  type: dict
  sample: {container_hostname: true, container_user: true, ctr_transfer_by_default: false, deprecations: true,
           transfer_service: false}
plugins:
  description: The daemon's plugins.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description: Plugin type.
      type: str
      sample: io.containerd.snapshotter.v1
    id:
      description: Plugin ID.
      type: str
      sample: overlayfs
    platforms:
      description: Platforms the plugin supports (empty when it does not say).
      type: list
      elements: str
      sample: [linux/amd64]
    status:
      description: V(ok), V(skip) or V(error).
      type: str
      sample: ok
namespaces:
  description: The daemon's namespaces.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "default", "labels": {}}]
images:
  description: Images of O(namespace) (name, media_type, digest, size, size_bytes, platforms, labels).
  returned: when O(images=true)
  type: list
  elements: dict
containers:
  description: Containers of O(namespace) (name, image, runtime).
  returned: when O(containers=true)
  type: list
  elements: dict
tasks:
  description: Tasks of O(namespace) (name, pid, status).
  returned: when O(tasks=true)
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._common.module import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.info import gather


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            images=dict(type="bool", default=False),
            containers=dict(type="bool", default=False),
            tasks=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    client = client_for(module)
    try:
        module.exit_json(**gather(module.params, client))
    except CollectionError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
