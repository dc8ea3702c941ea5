# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What converging a container or its task did (or would do in check mode), as data.

``Actions`` records events in order — what (a key of ``TEXT``), the object's name, the stop signal — and
builds the human-readable ``actions`` lines the modules return from them. Code asks ``did(what)``; it never
reads the lines. ``Outcome`` is what the converge functions return: the module's result and its actions.
"""

from __future__ import annotations

TEXT = dict(
    pulled_image="pulled image %s",
    created_container="created container %s",
    deleted_container="deleted container %s",
    marked_managed="marked container %s as managed by workloads",
    started_task="started task %s",
    stopped_task="stopped task %s",
    deleted_task="deleted task %s",
    paused_task="paused task %s",
    resumed_task="resumed task %s",
    monitor_keeps_running="told the restart monitor to keep task %s running",
    monitor_keeps_stopped="told the restart monitor to keep task %s stopped",
    network="%s",  # a step of the CNI glue (netns, attachments), worded by it
)


class Actions(object):
    """The events of one converge, in order (see module doc)."""

    def __init__(self):
        self.events = []

    def add(self, what, name, signal=None):
        """Record an event; returns it (a dict) so that a stop can note its signal once it is known."""
        if what not in TEXT:
            raise ValueError("unknown action %r" % what)
        event = {"what": what, "name": name, "signal": signal}
        self.events.append(event)
        return event

    def network(self, lines):
        """Record the steps the CNI glue reports (its lines, as it words them)."""
        for line in lines:
            self.add("network", line)

    def extend(self, other):
        self.events.extend(other.events)

    def did(self, what):
        return any(event["what"] == what for event in self.events)

    def __bool__(self):
        return bool(self.events)

    __nonzero__ = __bool__

    def lines(self):
        return [TEXT[event["what"]] % event["name"] + (" with %s" % event["signal"] if event["signal"] else "")
                for event in self.events]


class Outcome(object):
    """What a converge returns: ``result`` (the module's result, its ``actions`` lines built) and ``actions``."""

    def __init__(self, result, actions):
        self.result = result
        self.actions = actions
        result["actions"] = actions.lines()

    @property
    def created(self):
        """A container was created (new or re-created)."""
        return self.actions.did("created_container")

    @property
    def started(self):
        return self.actions.did("started_task")
