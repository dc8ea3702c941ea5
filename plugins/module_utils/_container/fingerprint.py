# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A container's fingerprint: how a ``workloads`` run that changes nothing confirms its containers without
reading each one.

Every container the collection creates carries ``LABEL``: a digest of everything it was created from, the
image reference and the create options (``_container/converge.py`` ``creation``), labels included (the image
digest, the inherited image config, the networks). Through ctr a container's spec cannot change after its
creation, only its labels. So a container that still carries the fingerprint of the options a run would
create it with, and still has every declared label with its value, is the container that run wants: one
``containers ls`` per namespace with one ``selector`` per container (ctr ORs them; containerd's filter
syntax, ``filters/parser.go``, ANDs the terms of one) confirms all of them, where the reads would take a
``containers info`` per container. A confirmed container gets a ``confirmed_record`` (its name, image and
labels as the run would create them) instead of its real record; the converge code skips the comparison of
the spec for it (``confirmed``).
"""

from __future__ import annotations

import hashlib
import json

LABEL = "containerd.runtime/fingerprint"
VERSION = "v1"  # changes whenever what a fingerprint covers changes: an old fingerprint then never matches
CONFIRMED = "containerd.runtime.confirmed"  # the key of a confirmed record (no real record has it)


def of(image, options):
    """The fingerprint of a container created from ``image`` (the reference) with the create ``options``
    (as ``spec.create_options`` returns them; a fingerprint label among them is left out)."""
    labels = dict(options.get("labels") or {})
    labels.pop(LABEL, None)
    data = dict(options, labels=labels, image=image)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "%s-%s" % (VERSION, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _quoted(text):
    """``text`` as a quoted string of containerd's filter syntax; None when it cannot be one (a control
    character, or empty: such a container is read the usual way)."""
    if not text or any(ord(char) < 32 or ord(char) == 127 for char in text):
        return None
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def selector(name, labels, declared):
    """The filter that matches container ``name`` only while it carries the fingerprint of ``labels`` (the
    labels it would be created with, ``LABEL`` among them) and every ``declared`` label with its value there;
    None when a value cannot be written in the filter syntax."""
    parts = ["id==%s" % _quoted(name)]
    for key in [LABEL] + sorted(key for key in declared if key != LABEL):
        quoted_key, quoted_value = _quoted(key), _quoted(labels.get(key))
        if quoted_key is None or quoted_value is None:
            return None
        parts.append("labels.%s==%s" % (quoted_key, quoted_value))
    return ",".join(parts)


def confirmed_record(name, image, labels):
    """What stands for the record of container ``name`` that a filtered listing confirmed: its name, image
    and ``labels`` (the ones it was created with, as ``selector`` confirmed them), marked ``CONFIRMED``."""
    return {"ID": name, "Image": image, "Labels": dict(labels), CONFIRMED: labels[LABEL]}


def confirmed(record):
    """The fingerprint a confirmed record was confirmed with; None for a real record (or none)."""
    return (record or {}).get(CONFIRMED)
