# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What differs between containerd releases, as one table (community.docker's ``option_minimal_versions`` is
the model): each entry names the binary whose release decides it (``ctr``, the client's flag parsing; or
``daemon``, the server's services) and the first release that has it: ``(major, minor)``, or, for a feature
backported to patch releases, the first ``(major, minor, patch)`` of each release line that has it (later lines
all do). Only the client layer asks (``CtrBase.has``; ``containerd_info`` returns them all as ``features``, which
the roles use); modules and converge code name a feature, never a version.
"""

from __future__ import annotations

FEATURES = {
    # ctr containers create --user / --hostname
    "container_user": ("ctr", (1, 7)),
    "container_hostname": ("ctr", (1, 7)),
    # ctr 2.x runs images pull/push/import/export/tag through the daemon's transfer service unless told --local;
    # ctr 1.7 runs them in ctr itself by default, ctr 1.6 always does and has no --local flag at all
    "ctr_transfer_by_default": ("ctr", (2, 0)),
    # the daemon's transfer service, as ctr 2.x uses it (1.6 has none: "unknown service
    # containerd.services.transfer.v1.Transfer"; 1.7's was experimental): without it ctr 2.x must use --local
    "transfer_service": ("daemon", (2, 0)),
    # ctr deprecations list (the introspection service's deprecation warnings): containerd pull request 9258 (2.0)
    # with the ctr command, backported by 9315 (release notes v1.7.9) and 9329 (release notes v1.6.25); Debian's
    # 1.6.20 has no such command
    "deprecations": ("ctr", ((1, 6, 25), (1, 7, 9), (2, 0, 0))),
}

# the user-facing options each feature stands for, for messages
OPTIONS = {
    "container_user": "user",
    "container_hostname": "hostname",
}


def has(feature, ctr_version, daemon_version):
    """Whether the releases at hand have ``feature`` (a key of FEATURES)."""
    binary, minimal = FEATURES[feature]
    version = tuple(ctr_version if binary == "ctr" else daemon_version)
    if isinstance(minimal[0], tuple):
        for first in minimal:
            if version[:2] == first[:2]:
                return version[:3] >= first
        return version[:2] > minimal[-1][:2]
    return version[:2] >= minimal


def _releases(minimal):
    """The first release(s) of a FEATURES entry, for messages."""
    if isinstance(minimal[0], tuple):
        return ", ".join(".".join(str(part) for part in first) for first in minimal[:-1]) + " or " + ".".join(
            str(part) for part in minimal[-1])
    return ".".join(str(part) for part in minimal)


def missing_message(features, ctr_version, daemon_version):
    """Why options cannot be used with these releases (``features``: the ones they lack, of one binary)."""
    binary, minimal = FEATURES[features[0]]
    have = ctr_version if binary == "ctr" else daemon_version
    names = [OPTIONS.get(feature, feature) for feature in features]
    return "%s %s containerd %s or later: %s %s cannot set %s" % (
        " and ".join(names), "need" if len(names) > 1 else "needs", _releases(minimal),
        "ctr" if binary == "ctr" else "the daemon", ".".join(str(part) for part in have),
        "them" if len(names) > 1 else "it")
