# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Starting and stopping a container's task together with containerd's restart monitor.

The restart monitor (``containerd.io/restart.*`` labels) keeps a container's task in the status its
``containerd.io/restart.status`` label names, every few seconds and after a daemon restart. So that a stop is
not undone, the status label is removed before the task is stopped (the monitor then leaves the container
alone) and set to ``stopped`` afterwards; a start sets it to ``running`` once the task runs.
"""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError


def labels_of(record):
    return (record or {}).get("Labels") or {}


def stop_signal(record):
    return labels_of(record).get(spec.STOP_SIGNAL_LABEL) or spec.DEFAULT_STOP_SIGNAL


def stop_timeout(record):
    try:
        return int(labels_of(record).get(spec.STOP_TIMEOUT_LABEL, spec.DEFAULT_STOP_TIMEOUT))
    except ValueError:
        return spec.DEFAULT_STOP_TIMEOUT


def monitored(record):
    """Whether the restart monitor manages this container (a policy other than 'no')."""
    return labels_of(record).get(spec.RESTART_POLICY_LABEL, "no") not in ("", "no")


def stop(client, name, record, signal=None, timeout=None):
    """Stop the task gracefully (``signal``, ``timeout`` s, then SIGKILL).

    Returns (the signal that stopped it, seconds the stop took), (None, None) when nothing ran.
    """
    labels = labels_of(record)
    if spec.RESTART_STATUS_LABEL in labels:
        client.label_container(name, {spec.RESTART_STATUS_LABEL: None})
    stopped = client.stop_task(name, signal or stop_signal(record),
                               stop_timeout(record) if timeout is None else timeout)
    if monitored(record):
        client.label_container(name, {spec.RESTART_STATUS_LABEL: "stopped",
                                      spec.RESTART_EXPLICITLY_STOPPED_LABEL: "true"})
    return stopped


def remove_task(client, name):
    """Delete a stopped task; its exit status, or None when there was no task."""
    if client.task(name) is None:
        return None
    return client.delete_task(name)


def start(client, name, record, log_uri=None):
    """Start the container's task (a stopped one is deleted first); the restart monitor then keeps it running.

    A failed start leaves no task behind and raises the error (runc's message included).
    """
    task = client.task(name)
    if task is not None and task["status"] in ("stopped", "created", "unknown"):
        client.delete_task(name)
    try:
        client.start_task(name, log_uri)
    except CollectionError:
        try:
            remove_task(client, name)
        except CollectionError:
            pass
        raise
    labels = {spec.LOG_URI_LABEL: log_uri}
    if monitored(record):
        labels.update({spec.RESTART_STATUS_LABEL: "running", spec.RESTART_EXPLICITLY_STOPPED_LABEL: None,
                       spec.RESTART_LOGURI_LABEL: log_uri})
    client.label_container(name, dict((key, value) for key, value in labels.items()
                                      if value is not None or key in labels_of(record)))
