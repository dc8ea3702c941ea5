# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Desired-vs-actual comparison: one helper gives ``changed``, the ``diff`` and the list of differences."""

from __future__ import annotations


class Differences(object):
    """Collects named differences; ``before``/``after`` become the module's diff-mode output."""

    def __init__(self):
        self.items = []
        self.before = {}
        self.after = {}

    def add(self, name, before, after):
        self.items.append({"name": name, "before": before, "after": after})
        self.before[name] = before
        self.after[name] = after

    def compare(self, name, before, after):
        """Record a difference when ``before != after``; return whether it differed."""
        if before != after:
            self.add(name, before, after)
            return True
        return False

    @property
    def names(self):
        return [item["name"] for item in self.items]

    def __bool__(self):
        return bool(self.items)

    __nonzero__ = __bool__

    def diff(self):
        return {"before": self.before, "after": self.after}


def labels_delta(current, desired, purge=False):
    """Labels to set so that ``current`` becomes ``desired``; a None value means remove.

    ``desired`` values of None remove that label; with ``purge`` labels not in ``desired`` go too.
    Returns (changes, resulting_labels).
    """
    current = dict(current or {})
    changes = {}
    for key, value in (desired or {}).items():
        if value is None or value == "":
            if key in current:
                changes[key] = None
        elif current.get(key) != str(value):
            changes[key] = str(value)
    if purge:
        for key in current:
            if key not in (desired or {}):
                changes[key] = None
    result = dict(current)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return changes, result
