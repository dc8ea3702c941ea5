# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The entries of the ``workloads`` module: their keys, types and defaults, checked before anything runs.

Entries are checked here rather than by AnsibleModule's suboptions so that every message names the entry
(``workloads[2] (web): memory '12XB' is not a size ...``) and all entries are checked at once.
"""

from __future__ import annotations

from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_dict,
    check_type_float,
    check_type_int,
    check_type_list,
    check_type_str,
)

from ansible_collections.containerd.runtime.plugins.module_utils import cni
from ansible_collections.containerd.runtime.plugins.module_utils import cni_config
from ansible_collections.containerd.runtime.plugins.module_utils import container_spec as spec
from ansible_collections.containerd.runtime.plugins.module_utils import reference
from ansible_collections.containerd.runtime.plugins.module_utils.identifiers import identifier_error

MANAGED_LABEL = "containerd.runtime/managed-by"
MANAGED_VALUE = "workloads"
STATES = ("running", "stopped", "absent")
PULLS = ("missing", "always")

# key -> (type, default, choices); 'raw' keeps the value as given
ENTRY_KEYS = {
    "name": ("str", None, None),
    "image": ("str", None, None),
    "namespace": ("str", None, None),
    "command": ("raw", None, None),
    "entrypoint": ("raw", None, None),
    "env": ("dict", None, None),
    "mounts": ("list", None, None),
    "networks": ("list", None, None),
    "ports": ("list", None, None),
    "labels": ("dict", None, None),
    "restart_policy": ("str", "no", None),
    "memory": ("str", None, None),
    "cpus": ("float", None, None),
    "user": ("str", None, None),
    "working_dir": ("str", None, None),
    "privileged": ("bool", False, None),
    "read_only": ("bool", False, None),
    "net_host": ("bool", False, None),
    "state": ("str", "running", STATES),
    "pull": ("str", "missing", PULLS),
    "healthcheck": ("dict", None, None),
}
MOUNT_KEYS = {
    "type": ("str", "bind", ("bind", "tmpfs")),
    "source": ("str", None, None),
    "target": ("str", None, None),
    "read_only": ("bool", False, None),
    "options": ("list", None, None),
}
HEALTH_KEYS = {
    "exec": ("raw", None, None),
    "tcp_port": ("int", None, None),
    "host": ("str", None, None),
    "retries": ("int", 10, None),
    "interval": ("float", 1.0, None),
    "start_period": ("float", 0.0, None),
}
CHECKERS = {"str": check_type_str, "dict": check_type_dict, "list": check_type_list, "bool": check_type_bool,
            "int": check_type_int, "float": check_type_float}


class EntryError(Exception):
    """An entry that cannot be converged; ``message`` names the entry."""

    def __init__(self, message, details=None):
        super(EntryError, self).__init__(message)
        self.message = message
        self.details = details or {}


def label(index, entry):
    """'workloads[2] (web)' — how messages name an entry."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return "workloads[%d] (%s)" % (index, name) if name else "workloads[%d]" % index


def coerce(values, keys, where, errors):
    """``values`` with every key of ``keys`` typed and defaulted; unknown keys and bad types go to ``errors``."""
    out = {}
    unknown = sorted(str(key) for key in values if key not in keys)
    if unknown:
        errors.append("%sunknown key%s %s (supported: %s)" % (where, "s" if len(unknown) > 1 else "",
                                                              ", ".join(unknown), ", ".join(sorted(keys))))
    for key, (kind, default, choices) in keys.items():
        value = values.get(key)
        if value is None:
            out[key] = default
            continue
        if kind != "raw":
            try:
                value = CHECKERS[kind](value)
            except (TypeError, ValueError) as error:
                errors.append("%s%s: %s" % (where, key, error))
                out[key] = default
                continue
        if choices and value not in choices:
            errors.append("%s%s must be one of %s, got %r" % (where, key, ", ".join(choices), value))
        out[key] = value
    return out


def normalize_entry(index, raw, default_namespace):
    """(entry with every key, [messages]) for one raw entry; messages are prefixed with the entry's label."""
    if not isinstance(raw, dict):
        return None, ["workloads[%d]: must be a dict with at least name and image, got %r" % (index, raw)]
    where = label(index, raw) + ": "
    errors = []
    entry = coerce(raw, ENTRY_KEYS, where, errors)
    if not entry["name"]:
        errors.append(where + "name is required")
    entry["namespace"] = entry["namespace"] or default_namespace
    message = identifier_error(entry["namespace"], "namespace")
    if message:
        errors.append(where + message)
    if entry["state"] != "absent" and not entry["image"]:
        errors.append(where + "image is required unless state is absent")
    elif entry["image"]:
        try:
            reference.parse(entry["image"])
        except reference.InvalidReference as error:
            errors.append(where + "image: " + error.message)
    for key in ("command", "entrypoint"):
        if entry[key] is not None and not isinstance(entry[key], (str, list)):
            errors.append(where + "%s must be a string or a list of arguments, got %r" % (key, entry[key]))
    mounts = []
    for position, mount in enumerate(entry["mounts"] or []):
        if not isinstance(mount, dict):
            errors.append(where + "mounts[%d] must be a dict with target (and source, type, ...)" % position)
            continue
        mount = coerce(mount, MOUNT_KEYS, "%smounts[%d]: " % (where, position), errors)
        if not mount["target"]:
            errors.append(where + "mounts[%d]: target is required" % position)
        mounts.append(mount)
    entry["mounts"] = mounts or None
    if entry["ports"] is not None:
        entry["ports"] = [str(port) for port in entry["ports"]]
    entry["healthcheck"] = normalize_healthcheck(entry["healthcheck"], where, errors)
    return entry, errors


def normalize_healthcheck(check, where, errors):
    if check is None:
        return None
    where += "healthcheck: "
    check = coerce(check, HEALTH_KEYS, where, errors)
    if (check["exec"] is None) == (check["tcp_port"] is None):
        errors.append(where + "give exactly one of exec and tcp_port")
    if check["exec"] is not None:
        try:
            check["exec"] = spec.split_command(check["exec"])
        except spec.InvalidContainerSpec as error:
            errors.append(where + "exec: " + error.message)
    if check["tcp_port"] is not None and not 0 < check["tcp_port"] < 65536:
        errors.append(where + "tcp_port must be a port number (1-65535), got %s" % check["tcp_port"])
    if check["retries"] is not None and check["retries"] < 1:
        errors.append(where + "retries must be at least 1, got %s" % check["retries"])
    for key in ("interval", "start_period"):
        if check[key] is not None and check[key] < 0:
            errors.append(where + "%s must not be negative, got %s" % (key, check[key]))
    return check


def container_params(entry, options):
    """The ``container`` module's parameters (all of them, its defaults applied) for an entry.

    ``options``: the module's connection and CNI options (address, ctr_path, timeout, cni_*).
    """
    return {
        "address": options["address"],
        "namespace": entry["namespace"],
        "ctr_path": options["ctr_path"],
        "timeout": options["timeout"],
        "name": entry["name"],
        "state": "absent" if entry["state"] == "absent" else "present",
        "image": entry["image"],
        "pull": "missing",
        "command": entry["command"],
        "entrypoint": entry["entrypoint"],
        "env": entry["env"],
        "labels": entry["labels"],
        "mounts": entry["mounts"],
        "user": entry["user"],
        "working_dir": entry["working_dir"],
        "hostname": None,
        "tty": False,
        "privileged": entry["privileged"],
        "read_only": entry["read_only"],
        "net_host": entry["net_host"],
        "network_namespace": None,
        "memory": entry["memory"],
        "cpus": entry["cpus"],
        "runtime": spec.DEFAULT_RUNTIME,
        "snapshotter": None,
        "stop_signal": None,
        "stop_timeout": spec.DEFAULT_STOP_TIMEOUT,
        "restart_policy": entry["restart_policy"],
        "recreate": False,
        "networks": entry["networks"],
        "ports": entry["ports"],
        "cni_conf_dir": options.get("cni_conf_dir") or cni_config.DEFAULT_CONF_DIR,
        "cni_bin_dir": options.get("cni_bin_dir") or [cni_config.DEFAULT_BIN_DIR],
        "cni_cache_dir": options.get("cni_cache_dir") or cni.DEFAULT_CACHE_DIR,
    }


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
