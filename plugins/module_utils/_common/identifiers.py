# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd's identifier and label rules, checked before anything runs.

Identifiers (namespaces, containers, snapshots, leases) follow containerd's
``pkg/identifiers``: alphanumerics separated by single '.', '_' or '-', at most 76 characters.
"""

from __future__ import annotations

import re

IDENTIFIER = re.compile(r"^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$")
IDENTIFIER_MAX_LENGTH = 76
LABEL_MAX_LENGTH = 4096


def identifier_error(value, what="name"):
    """A message saying why ``value`` is not a valid identifier, or None when it is valid."""
    if value is None or value == "":
        return "%s must not be empty" % what
    if len(value) > IDENTIFIER_MAX_LENGTH:
        return "%s %r is %d characters long; containerd allows at most %d" % (
            what, value, len(value), IDENTIFIER_MAX_LENGTH)
    if not IDENTIFIER.match(value):
        return ("%s %r is not a valid containerd identifier: use letters and digits, separated by single "
                "'.', '_' or '-' (no spaces, no '/', no leading or trailing separator)" % (what, value))
    return None


def label_errors(labels, what="label"):
    """Messages for labels ctr cannot set or list faithfully (empty key, '=' or ',' in a key, ',' in a value)
    or safely (a key starting with '-': ctr 1.6 and 1.7 move such an argument of ``images label`` and the like
    in front and parse it as their own flag, ``--replace-all=true`` wiping every label; the client ends ctr's
    flags with ``--`` as well, see ``_ctr/args.py``)."""
    errors = []
    for key, value in (labels or {}).items():
        if not key:
            errors.append("%s keys must not be empty" % what)
            continue
        if str(key).startswith("-"):
            errors.append("%s key %r (labels) must not start with '-': ctr 1.6 and 1.7 would read it as one of "
                          "their own flags" % (what, key))
        if "=" in key or "," in key:
            errors.append("%s key %r must not contain '=' or ','" % (what, key))
        if value is not None and "," in str(value):
            errors.append("%s %r: ctr lists labels comma-separated, so a value must not contain ','" % (what, key))
        if len(key) + len(str(value or "")) > LABEL_MAX_LENGTH:
            errors.append("%s %r is longer than containerd's limit of %d characters" % (what, key, LABEL_MAX_LENGTH))
    return errors
