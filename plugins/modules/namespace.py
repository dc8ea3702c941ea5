#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: namespace
short_description: Manage containerd namespaces and their labels
version_added: 0.4.0
description:
  - Creates and removes containerd namespaces, and sets, changes and removes their labels
    (C(ctr namespaces create|label|remove)).
  - containerd deletes only empty namespaces. Removing a namespace that still holds images, containers,
    tasks, snapshots or content fails with a list of what it holds, and removes nothing.
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
  - containerd.runtime.connection.converging
options:
  name:
    description:
      - Name of the namespace.
      - containerd's identifier rules apply; letters and digits separated by single C(.), C(_) or C(-),
        at most 76 characters.
    type: str
    required: true
  state:
    description:
      - V(present) creates the namespace and sets its O(labels); V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  labels:
    description:
      - Labels the namespace must carry. A label given with an empty value or V(null) is removed.
      - Values must not contain a comma, since C(ctr) lists labels comma-separated.
      - Keys must not start with C(-) (ctr 1.6 and 1.7 would read such an argument as one of their own flags).
    type: dict
  purge_labels:
    description:
      - Remove labels that are not listed in O(labels).
    type: bool
    default: false
  namespace:
    description:
      - Not used by this module (O(name) is the namespace it manages); accepted so that C(module_defaults)
        for the whole group can set it.
"""

EXAMPLES = r"""
- name: A namespace for the web team
  containerd.runtime.namespace:
    name: web
    labels:
      team: web
      containerd.io/defaults/snapshotter: overlayfs

- name: Drop a label and keep the others
  containerd.runtime.namespace:
    name: web
    labels:
      team: null

- name: Remove the namespace (it must be empty)
  containerd.runtime.namespace:
    name: web
    state: absent
"""

RETURN = r"""
namespace:
  description: The namespace after the task (its prediction in check mode); V(null) when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the namespace.
      type: str
      sample: web
    labels:
      description: Labels of the namespace.
      type: dict
      sample: {"team": "web"}
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: str
  sample: ["created namespace web"]
diff:
  description: Before and after of what differed.
  returned: when diff mode is on
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._common.module import (
    argument_spec,
    client_for,
    fail,
    run_context,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.namespace import converge, validate


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            labels=dict(type="dict"),
            purge_labels=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        validate(module.params)
        client = client_for(module)
        module.exit_json(**converge(module.params, client, run_context(module)))
    except CollectionError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
