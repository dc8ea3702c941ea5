# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converging a containerd namespace and its labels: the logic of the ``namespace`` module."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences, labels_delta
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidOptions
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import (
    identifier_error,
    label_errors,
)


def validate(params):
    """InvalidOptions naming every bad parameter."""
    errors = []
    message = identifier_error(params["name"], "namespace name")
    if message:
        errors.append(message)
    errors += label_errors(params["labels"])
    if errors:
        raise InvalidOptions("; ".join(errors))


def converge(params, client, run):
    """Converge namespace ``params["name"]``; the module's result."""
    name = params["name"]
    current = client.get_namespace(name)
    differences = Differences()
    actions = []
    after = current
    if params["state"] == "present":
        if current is None:
            _changes, labels = labels_delta({}, params["labels"])
            differences.add("state", "absent", "present")
            differences.compare("labels", {}, labels)
            actions.append("created namespace %s" % name)
            if not run.check_mode:
                client.create_namespace(name, labels)
            after = {"name": name, "labels": labels}
        else:
            changes, labels = labels_delta(current["labels"], params["labels"], params["purge_labels"])
            if changes:
                differences.add("labels", current["labels"], labels)
                actions.append("set labels of namespace %s: %s" % (name, ", ".join(sorted(changes))))
                if not run.check_mode:
                    client.set_namespace_labels(name, changes)
            after = {"name": name, "labels": labels}
    elif current is not None:
        differences.add("state", "present", "absent")
        actions.append("removed namespace %s" % name)
        client.ensure_namespace_empty(name)
        if not run.check_mode:
            client.remove_namespace(name)
        after = None
    result = dict(changed=bool(differences), namespace=after, actions=actions)
    if run.diff:
        result["diff"] = differences.diff()
    return result
