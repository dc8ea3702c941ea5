# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Namespace operations of the client (mixed into ``client.CtrClient``; uses ``self.run``)."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.args import command
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import NamespaceNotEmpty


class NamespaceOps(object):
    def namespaces(self):
        return parse.parse_namespaces(self.run(["namespaces", "ls"], namespace=False))

    def get_namespace(self, name):
        for namespace in self.namespaces():
            if namespace["name"] == name:
                return namespace
        return None

    def create_namespace(self, name, labels=None):
        pairs = ["%s=%s" % (key, value) for key, value in sorted((labels or {}).items())]
        self.run(command(["namespaces", "create"], operands=[name] + pairs), namespace=False)

    def set_namespace_labels(self, name, labels):
        """Set labels; a value of None removes that label (ctr removes a label set to the empty string)."""
        for key, value in sorted(labels.items()):
            self.run(command(["namespaces", "label"], operands=[name, "%s=%s" % (key, "" if value is None else value)]),
                     namespace=False)

    def namespace_contents(self, name):
        """What keeps a namespace from being deleted: {kind: [names]} with empty kinds left out."""
        contents = {
            "images": parse.parse_list(self.run(["images", "ls", "-q"], namespace=name)),
            "containers": parse.parse_list(self.run(["containers", "ls", "-q"], namespace=name)),
            "tasks": [task["name"] for task in self.tasks(name)],
            "snapshots": [snap["key"] for snap in
                          parse.parse_snapshots(self.run(["snapshots", "ls"], namespace=name))],
            "content": parse.parse_list(self.run(["content", "ls", "-q"], namespace=name)),
        }
        return dict((kind, items) for kind, items in contents.items() if items)

    def ensure_namespace_empty(self, name):
        """Raise NamespaceNotEmpty, listing what the namespace holds, unless it is empty."""
        contents = self.namespace_contents(name)
        if contents:
            raise NamespaceNotEmpty(not_empty_message(name, contents), extra={"contents": contents})

    def remove_namespace(self, name):
        """Delete a namespace; containerd refuses a non-empty one (NamespaceNotEmpty)."""
        self.run(command(["namespaces", "remove"], operands=[name]), namespace=False)


def not_empty_message(name, contents, shown=10):
    parts = []
    for kind, items in contents.items():
        listed = ", ".join(items[:shown]) + (" and %d more" % (len(items) - shown) if len(items) > shown else "")
        parts.append("%s (%d): %s" % (kind, len(items), listed))
    return ("namespace %r is not empty, and containerd deletes only empty namespaces; remove what it still "
            "holds first — %s" % (name, "; ".join(parts)))
