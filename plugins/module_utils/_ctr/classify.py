# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one function that turns a failed ctr run into a typed error (``_common/errors.py``)."""

from __future__ import annotations

import re

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    AlreadyExists,
    CommandFailed,
    DaemonTimeout,
    DaemonUnavailable,
    InvalidArgument,
    NamespaceNotEmpty,
    ObjectNotFound,
    PermissionDenied,
)

_MESSAGE_LINE = re.compile(r"^ctr: (.*)$")


def ctr_message(stderr):
    """The human part of ctr's stderr: its last ``ctr: ...`` line, else the last non-empty line."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    for line in reversed(lines):
        match = _MESSAGE_LINE.match(line)
        if match:
            return match.group(1)
    return lines[-1] if lines else ""


_UNAVAILABLE = ("connection refused", "no such file or directory", "cannot access socket", "connect: no such")
_TIMEOUT = ("context deadline exceeded", "timed out waiting for server handshake",
            "error reading server preface", "deadlineexceeded")


def classify(argv, rc, stderr, address, timeout):
    """Map a failed ctr run to a typed error with an actionable message."""
    text = ctr_message(stderr)
    lower = (stderr or "").lower()
    dialing = "failed to dial" in lower or "connection error" in lower or "cannot access socket" in lower
    if dialing and any(marker in lower for marker in _UNAVAILABLE):
        return DaemonUnavailable(unavailable_message(address), argv, rc, stderr)
    if any(marker in lower for marker in _TIMEOUT):
        return DaemonTimeout(
            "containerd at %s did not answer within %ss (timeout); is the daemon hung or overloaded? (%s)"
            % (address, timeout, text), argv, rc, stderr)
    if "permission denied" in lower:
        return PermissionDenied(
            "permission denied talking to containerd at %s: run as root (become: true) or give this user "
            "access to the socket (%s)" % (address, text), argv, rc, stderr)
    if "must be empty" in lower or "failed precondition" in lower:
        return NamespaceNotEmpty(text, argv, rc, stderr)
    if "already exists" in lower:
        return AlreadyExists(text, argv, rc, stderr)
    if "not found" in lower:
        return ObjectNotFound(text, argv, rc, stderr)
    if "invalid argument" in lower or "must match" in lower:
        return InvalidArgument(text, argv, rc, stderr)
    return CommandFailed("ctr failed (rc=%s): %s" % (rc, text or "no error output"), argv, rc, stderr)


def unavailable_message(address):
    return "containerd is not running at %s — is the service started?" % address
