# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The entries of the ``workloads`` module, checked before anything runs.

Their keys, types, defaults and choices are the option table's (``_container/options.py``), checked with
ansible-core's ``ArgumentSpecValidator`` entry by entry rather than by AnsibleModule's suboptions, so that
every message names the entry (``workloads[2] (web): memory '12XB' is not a size ...``) and all entries are
checked at once.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import ArgumentValueError, UnsupportedError

from ansible_collections.containerd.runtime.plugins.module_utils._container import options
from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    InvalidContainerOptions,
    InvalidReference,
)

MANAGED_LABEL = "containerd.runtime/managed-by"
MANAGED_VALUE = "workloads"
ENTRY_SPEC = options.entry_spec()
VALIDATOR = ArgumentSpecValidator(ENTRY_SPEC)
SUBOPTIONS = ("mounts", "healthcheck")  # the entry keys with suboptions (a list of dicts, a dict)


def label(index, entry):
    """'workloads[2] (web)' — how messages name an entry."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return "workloads[%d] (%s)" % (index, name) if name else "workloads[%d]" % index


def without_none(raw):
    """The entry without keys set to null (at its top level and in its suboptions): they mean the default."""
    out = dict((key, value) for key, value in raw.items() if value is not None)
    if isinstance(out.get("healthcheck"), dict):
        out["healthcheck"] = without_none(out["healthcheck"])
    if isinstance(out.get("mounts"), list):
        out["mounts"] = [dict((key, value) for key, value in mount.items() if value is not None)
                         if isinstance(mount, dict) else mount for mount in out["mounts"]]
    return out


def unknown_keys(unsupported, where):
    """Messages for the keys no option of the table has (``unsupported``: names, or (option, key) tuples)."""
    by_option = {}
    for item in unsupported:
        option, key = item if isinstance(item, tuple) else (None, item)
        by_option.setdefault(option, []).append(str(key))
    errors = []
    for option in sorted(by_option, key=lambda name: name or ""):
        keys = ENTRY_SPEC[option]["options"] if option else ENTRY_SPEC
        unknown = sorted(by_option[option])
        errors.append("%s%sunknown key%s %s (supported: %s)" % (
            where, "%s: " % option if option else "", "s" if len(unknown) > 1 else "", ", ".join(unknown),
            ", ".join(sorted(keys))))
    return errors


def choice_errors(entry, where):
    """Messages for values outside the table's choices (of the entry's keys and of each mount)."""
    values = [(where, ENTRY_SPEC, entry)]
    for position, mount in enumerate(entry.get("mounts") or []):
        if isinstance(mount, dict):
            values.append(("%smounts[%d]: " % (where, position), ENTRY_SPEC["mounts"]["options"], mount))
    errors = []
    for prefix, keys, given in values:
        for key, option in keys.items():
            if option.get("choices") and key in given and given[key] not in option["choices"]:
                errors.append("%s%s must be one of %s, got %r"
                              % (prefix, key, ", ".join(option["choices"]), given[key]))
    return errors


def normalize_entry(index, raw, default_namespace):
    """(entry with every key, [messages]) for one raw entry; messages are prefixed with the entry's label."""
    if not isinstance(raw, dict):
        return None, ["workloads[%d]: must be a dict with at least name and image, got %r" % (index, raw)]
    where = label(index, raw) + ": "
    result = VALIDATOR.validate(without_none(raw))
    entry = result.validated_parameters
    errors = [where + error.msg for error in result.errors.errors
              if not isinstance(error, (UnsupportedError, ArgumentValueError))]
    errors += unknown_keys(result.unsupported_parameters, where) + choice_errors(entry, where)
    entry["namespace"] = entry.get("namespace") or default_namespace
    if errors:
        return entry, errors
    message = identifier_error(entry["namespace"], "namespace")
    if message:
        errors.append(where + message)
    if entry["state"] != "absent" and not entry["image"]:
        errors.append(where + "image is required unless state is absent")
    elif entry["image"]:
        try:
            reference.parse(entry["image"])
        except InvalidReference as error:
            errors.append(where + "image: " + error.message)
    for key in ("command", "entrypoint"):
        if entry[key] is not None and not isinstance(entry[key], (str, list)):
            errors.append(where + "%s must be a string or a list of arguments, got %r" % (key, entry[key]))
    entry["mounts"] = entry["mounts"] or None
    entry["healthcheck"] = healthcheck(entry["healthcheck"], where, errors)
    return entry, errors


def healthcheck(check, where, errors):
    """The validated health check with its command split; what is wrong with it goes to ``errors``."""
    if check is None:
        return None
    where += "healthcheck: "
    check = dict(check)
    if check["exec"] is not None:
        try:
            check["exec"] = spec.split_command(check["exec"])
        except InvalidContainerOptions as error:
            errors.append(where + "exec: " + error.message)
    if check["tcp_port"] is not None and not 0 < check["tcp_port"] < 65536:
        errors.append(where + "tcp_port must be a port number (1-65535), got %s" % check["tcp_port"])
    if check["retries"] is not None and check["retries"] < 1:
        errors.append(where + "retries must be at least 1, got %s" % check["retries"])
    for key in ("interval", "start_period"):
        if check[key] is not None and check[key] < 0:
            errors.append(where + "%s must not be negative, got %s" % (key, check[key]))
    return check


def task_params(entry, options, state):
    """The ``task`` module's parameters for an entry's task."""
    return {"address": options["address"], "namespace": entry["namespace"], "ctr_path": options["ctr_path"],
            "timeout": options["timeout"], "name": entry["name"], "state": state, "log_path": None, "signal": None,
            "stop_timeout": None}


def duplicate_errors(entries):
    """Messages for names declared twice in one namespace."""
    seen = {}
    errors = []
    for index, entry in enumerate(entries):
        if entry is None or not entry["name"]:
            continue
        key = (entry["namespace"], entry["name"])
        if key in seen:
            errors.append("%s: duplicate name %s in namespace %s (also workloads[%d])"
                          % (label(index, entry), entry["name"], entry["namespace"], seen[key]))
        else:
            seen[key] = index
    return errors
