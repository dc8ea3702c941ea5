# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The desired configuration of a container, built from module parameters and the image's config, and its
comparison with the real container record (``ctr containers info`` JSON).

Both sides are reduced to the same flat dict of *compared options* (``COMPARED``), so a difference names
the module option that differs, and diff mode shows before/after in the user's own terms.

What the container record cannot tell by itself is kept in labels the collection owns (``containerd.runtime/``):
the image digest the container was created from, the ``user`` asked for (ctr resolves names into uid/gid) and
the ``stop_timeout``, and the parts of the image's config the container inherited (``image-config``: the next
run compares against them without reading the image's config again while the image's digest has not moved).
The stop signal lives in containerd's own ``io.containerd.image.config.stop-signal`` label
and the restart policy in the restart monitor's ``containerd.io/restart.policy``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import shlex

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidContainerOptions

RESTART_PREFIX = "containerd.io/restart."
RESTART_POLICY_LABEL = "containerd.io/restart.policy"
RESTART_STATUS_LABEL = "containerd.io/restart.status"
RESTART_LOGURI_LABEL = "containerd.io/restart.loguri"
RESTART_EXPLICITLY_STOPPED_LABEL = "containerd.io/restart.explicitly-stopped"
STOP_SIGNAL_LABEL = "io.containerd.image.config.stop-signal"
OWN_PREFIX = "containerd.runtime/"
IMAGE_DIGEST_LABEL = "containerd.runtime/image-digest"
USER_LABEL = "containerd.runtime/user"
STOP_TIMEOUT_LABEL = "containerd.runtime/stop-timeout"
LOG_URI_LABEL = "containerd.runtime/log-uri"
SYSTEM_LABEL_PREFIXES = (RESTART_PREFIX, "io.containerd.image.config.", OWN_PREFIX)
# labels that describe the task's run-time state (set by the task module and the restart monitor):
# they are not configuration, and a re-created container carries them over
RUNTIME_LABELS = (RESTART_STATUS_LABEL, RESTART_LOGURI_LABEL, RESTART_EXPLICITLY_STOPPED_LABEL, LOG_URI_LABEL)

DEFAULT_RUNTIME = "io.containerd.runc.v2"
# the environment containerd gives a process whose image config has no Env at all (oci.defaultUnixEnv)
DEFAULT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
DEFAULT_STOP_SIGNAL = "SIGTERM"
DEFAULT_STOP_TIMEOUT = 10
CFS_PERIOD = 100000
MIN_CFS_QUOTA = 1000

# the compared options, in the order they are reported
COMPARED = ("image", "image_digest", "command", "env", "labels", "mounts", "user", "working_dir", "hostname",
            "tty", "privileged", "read_only", "net_host", "network_namespace", "memory", "cpus", "runtime",
            "snapshotter", "stop_signal", "stop_timeout", "restart_policy")

# mounts ctr puts in every spec (destination, type, source): not the user's
DEFAULT_MOUNTS = frozenset([
    ("/proc", "proc", "proc"), ("/dev", "tmpfs", "tmpfs"), ("/dev/pts", "devpts", "devpts"),
    ("/dev/shm", "tmpfs", "shm"), ("/dev/mqueue", "mqueue", "mqueue"), ("/sys", "sysfs", "sysfs"),
    ("/run", "tmpfs", "tmpfs"), ("/sys/fs/cgroup", "cgroup", "cgroup"),
    ("/etc/hosts", "bind", "/etc/hosts"), ("/etc/resolv.conf", "bind", "/etc/resolv.conf"),
])


# ---- single parameters ------------------------------------------------------------------------------

_MEMORY = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_MEMORY_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}


def parse_memory(value):
    """'512m' -> 536870912 (binary units b, k, m, g, t, optionally followed by 'b'/'ib'); None stays None."""
    if value is None or value == "":
        return None
    match = _MEMORY.match(str(value))
    if not match:
        raise InvalidContainerOptions("memory %r is not a size: use a number of bytes or a number with a unit "
                                      "b, k, m, g or t (e.g. 512m)" % (value,))
    number = float(match.group(1)) * _MEMORY_UNITS[match.group(2).lower()]
    if number <= 0:
        raise InvalidContainerOptions("memory must be a positive size, got %r" % (value,))
    return int(number)


def cpus_to_cfs(cpus):
    """1.5 -> (150000, 100000): CFS quota and period for a fractional number of CPUs; None stays None."""
    if cpus is None:
        return None
    try:
        cpus = float(cpus)
    except (TypeError, ValueError):
        raise InvalidContainerOptions("cpus must be a number of CPUs (e.g. 0.5), got %r" % (cpus,))
    quota = int(round(cpus * CFS_PERIOD))
    if quota < MIN_CFS_QUOTA:
        raise InvalidContainerOptions("cpus must be at least %s (the kernel's smallest CFS quota), got %s"
                                      % (float(MIN_CFS_QUOTA) / CFS_PERIOD, cpus))
    return quota, CFS_PERIOD


def cfs_to_cpus(quota, period):
    if not quota or quota < 0 or not period:
        return None
    return round(float(quota) / period, 3)


_POLICY = re.compile(r"^(no|always|unless-stopped|on-failure)(?::(\d+))?$")


def normalize_restart_policy(policy):
    """'on-failure:3' stays; '' and None mean 'no'; anything else raises InvalidContainerOptions."""
    policy = (policy or "no").strip()
    match = _POLICY.match(policy)
    if not match or (match.group(2) is not None and match.group(1) != "on-failure"):
        raise InvalidContainerOptions("restart_policy %r is not one of no, always, unless-stopped, "
                                      "on-failure or on-failure:N (N a number of retries)" % (policy,))
    if match.group(1) == "on-failure" and match.group(2) and int(match.group(2)) == 0:
        return "on-failure"
    return policy


def restart_policy_labels(policy):
    """The restart monitor's policy label for a policy; {} for 'no' (no monitoring at all)."""
    policy = normalize_restart_policy(policy)
    if policy == "no":
        return {}
    return {RESTART_POLICY_LABEL: policy}


def split_command(command, option="command", allow_empty=False):
    """An argv list as given, or a string split like a POSIX shell would; None stays None."""
    if command is None:
        return None
    if isinstance(command, (list, tuple)):
        argv = [str(arg) for arg in command]
    elif isinstance(command, dict):
        raise InvalidContainerOptions("%s must be a string or a list of arguments, got a dict" % option)
    else:
        try:
            argv = shlex.split(str(command))
        except ValueError as error:
            raise InvalidContainerOptions("%s %r cannot be split into arguments: %s" % (option, command, error))
    if not argv and not allow_empty:
        raise InvalidContainerOptions("%s must not be empty (leave it out to run the image's command)" % option)
    return argv


_SIGNAL = re.compile(r"^(?:SIG)?([A-Z][A-Z0-9+-]*)$")


def normalize_signal(signal):
    """'term' -> 'SIGTERM', '9' -> '9', 'SIGRTMIN+3' stays."""
    if signal is None:
        return None
    text = str(signal).strip().upper()
    if text.isdigit():
        return text
    match = _SIGNAL.match(text)
    if not match:
        raise InvalidContainerOptions("%r is not a signal name (e.g. SIGTERM) or number" % (signal,))
    return "SIG" + match.group(1)


def env_dict(items):
    """['A=1', 'B'] -> {'A': '1', 'B': ''} keeping order (later entries win)."""
    env = {}
    for item in items or []:
        key, _sep, value = str(item).partition("=")
        env[key] = value
    return env


def mount_spec(mount):
    """A module mount option -> {'type', 'source', 'target', 'options'} as ctr will record it."""
    kind = mount.get("type") or "bind"
    target = mount.get("target")
    if not target or not str(target).startswith("/"):
        raise InvalidContainerOptions("mount target must be an absolute path inside the container, got %r" % (target,))
    extra = [str(option) for option in (mount.get("options") or [])]
    for value in [target, mount.get("source") or ""] + extra:
        if "," in value or (":" in value and value in extra):
            raise InvalidContainerOptions("mount %s: ctr cannot pass ',' in a mount, or ':' in a mount option (%r)"
                                          % (target, value))
    if kind == "bind":
        source = mount.get("source")
        if not source or not str(source).startswith("/"):
            raise InvalidContainerOptions("bind mount %s needs an absolute source path on the host, got %r"
                                          % (target, source))
        options = ["rbind", "ro" if mount.get("read_only") else "rw"]
    elif kind == "tmpfs":
        source = "tmpfs"
        options = ["ro"] if mount.get("read_only") else []
    else:
        raise InvalidContainerOptions("mount %s: type must be bind or tmpfs, got %r" % (target, kind))
    options += [option for option in extra if option not in options and option not in ("ro", "rw", "rbind")]
    return {"type": kind, "source": str(source), "target": str(target), "options": options}


def _sorted_mounts(mounts):
    return sorted(mounts, key=lambda mount: (mount["target"], mount["type"], mount["source"]))


# ---- the image config a container was made from -----------------------------------------------------

IMAGE_CONFIG_LABEL = "containerd.runtime/image-config"
# the image config fields image_defaults() reads
IMAGE_CONFIG_FIELDS = ("Entrypoint", "Cmd", "Env", "WorkingDir", "StopSignal", "Labels", "User")
# containerd refuses a label whose key and value are longer than 4096 bytes together (labels.Validate)
LABEL_LIMIT = 4096


def image_config_label(image):
    """{IMAGE_CONFIG_LABEL: value} for a container made from ``image`` ({'name', 'digest', 'config'}): the fields
    of its config the container inherits, compact JSON in base64 (no ``,`` or ``=`` for ctr's flag parsing);
    {} when the image is unknown or the value would exceed containerd's label size (the config is read then)."""
    if not image or not image.get("digest"):
        return {}
    config = (image.get("config") or {}).get("config") or {}
    kept = dict((key, config[key]) for key in IMAGE_CONFIG_FIELDS if config.get(key))
    value = base64.b64encode(json.dumps(kept, sort_keys=True, separators=(",", ":")).encode()).decode("ascii")
    if len(IMAGE_CONFIG_LABEL) + len(value) > LABEL_LIMIT:
        return {}
    return {IMAGE_CONFIG_LABEL: value}


def image_from_record(record, reference, digest):
    """The image {'name', 'digest', 'config'} as the container ``record`` keeps it, when the container was made
    from ``digest`` (the image's digest now) and carries the image-config label; None otherwise."""
    labels = (record or {}).get("Labels") or {}
    if not digest or labels.get(IMAGE_DIGEST_LABEL) != digest or IMAGE_CONFIG_LABEL not in labels:
        return None
    try:
        config = json.loads(base64.b64decode(labels[IMAGE_CONFIG_LABEL].encode("ascii"), validate=True))
    except (ValueError, binascii.Error, UnicodeError):
        return None  # not ours after all: read the image's config
    if not isinstance(config, dict):
        return None
    return {"name": reference, "digest": digest, "config": {"config": config}}


# ---- the two sides ----------------------------------------------------------------------------------

def image_defaults(image_config):
    """The parts of an OCI image config (``config`` of the config blob) a container inherits from it, as
    containerd's ``oci.WithImageConfig`` and ctr's ``WithImageConfigLabels`` apply them: the baseline that
    the module's options override."""
    config = (image_config or {}).get("config") or {}
    return {
        "entrypoint": [str(arg) for arg in config.get("Entrypoint") or []],
        "cmd": [str(arg) for arg in config.get("Cmd") or []],
        "env": env_dict(config.get("Env")) if config.get("Env") else dict(DEFAULT_ENV),
        "working_dir": config.get("WorkingDir") or "/",
        "stop_signal": config.get("StopSignal") or DEFAULT_STOP_SIGNAL,
        "labels": dict((str(key), str(value)) for key, value in (config.get("Labels") or {}).items()),
        "user": str(config.get("User") or ""),
    }


def process_args(params, defaults):
    """The container's argv, with Docker's semantics: ``command`` replaces the image's Cmd and keeps its
    Entrypoint; ``entrypoint`` replaces the Entrypoint and drops the image's Cmd (``[]`` or ``""``: none)."""
    command = split_command(params.get("command"))
    entrypoint = params.get("entrypoint")
    if entrypoint is None:
        entrypoint = defaults["entrypoint"]
        if command is None:
            command = defaults["cmd"]
    else:
        entrypoint = split_command(entrypoint, "entrypoint", allow_empty=True)
        command = command or []
    argv = entrypoint + command
    if not argv:
        raise InvalidContainerOptions("the container has no command: the image declares no Entrypoint or Cmd; "
                                      "set command (or entrypoint)")
    return argv


def declared_labels(params):
    return dict((str(key), str(value)) for key, value in (params.get("labels") or {}).items()
                if value is not None)


def _declared_args(params):
    """The argv as far as it is known without the image's config (None: all of it comes from the image)."""
    command = split_command(params.get("command"))
    if params.get("entrypoint") is not None:
        return split_command(params["entrypoint"], "entrypoint", allow_empty=True) + (command or [])
    return None


class Baseline(object):
    """What the image gives a container, for the comparison: known (the image's config was read) or not
    (check mode before a pull: then only what the module's options declare is compared)."""

    def __init__(self, params, image):
        self.known = image is not None
        self.defaults = image_defaults((image or {}).get("config"))
        self.declared = params

    def image_label(self, key, have_labels, image_moved=False):
        """Whether ``key`` is a label the image supplies and the options do not set, that the container lacks or
        carries with the image's value (or, unknown image, any label the options do not set): ctr copies those
        onto the container, they are not configuration. One the container carries with another value (an
        override the options dropped) is compared. When the container was made from another digest than the
        image's (``image_moved``: it is re-created for that), the labels it carries that the options do not
        set are the old image's: only declared labels are compared."""
        if key in (self.declared.get("labels") or {}):
            return False
        if not self.known or image_moved:
            return True
        image = self.defaults["labels"]
        return key in image and (key not in have_labels or have_labels[key] == image[key])

    def compared(self, name, want, have):
        """(have, want) of option ``name`` as compared."""
        if name == "labels":
            moved = bool(have.get("image_digest") and want.get("image_digest")
                         and have["image_digest"] != want["image_digest"])
            keys = [key for key in set(want[name]) | set(have[name])
                    if not self.image_label(key, have[name], moved)]
            return (dict((key, have[name][key]) for key in keys if key in have[name]),
                    dict((key, want[name][key]) for key in keys if key in want[name]))
        if not self.known:
            params = self.declared
            if name == "env":
                declared = set(str(key) for key in params.get("env") or {})
                return (dict((key, value) for key, value in have[name].items() if key in declared), want[name])
            if (name == "command" and want[name] is None) or (name in ("working_dir", "stop_signal")
                                                              and not params.get(name)):
                return have[name], have[name]
        return have[name], want[name]


def desired(params, image=None):
    """The compared options the module asks for.

    ``image`` is {'name', 'digest', 'config'} of the image (None when unknown, as in check mode before a pull).
    """
    defaults = image_defaults((image or {}).get("config"))
    command = process_args(params, defaults) if image is not None else _declared_args(params)
    env = dict(defaults["env"]) if image is not None else {}
    for key, value in (params.get("env") or {}).items():
        env[str(key)] = "" if value is None else str(value)
    labels = dict(defaults["labels"])
    labels.update(declared_labels(params))
    cfs = cpus_to_cfs(params.get("cpus"))
    stop_timeout = params.get("stop_timeout")
    return {
        "image": params["image"],
        "image_digest": (image or {}).get("digest"),
        "command": command,
        "env": env,
        "labels": labels,
        "mounts": _sorted_mounts([mount_spec(mount) for mount in params.get("mounts") or []]),
        "user": params.get("user") or "",
        "working_dir": params.get("working_dir") or defaults["working_dir"],
        "hostname": params.get("hostname") or "",
        "tty": bool(params.get("tty")),
        "privileged": bool(params.get("privileged")),
        "read_only": bool(params.get("read_only")),
        "net_host": bool(params.get("net_host")),
        "network_namespace": params.get("network_namespace") or None,
        "memory": parse_memory(params.get("memory")),
        "cpus": cfs_to_cpus(*cfs) if cfs else None,
        "runtime": params.get("runtime") or DEFAULT_RUNTIME,
        "snapshotter": params.get("snapshotter") or None,
        "stop_signal": normalize_signal(params.get("stop_signal")) or normalize_signal(defaults["stop_signal"]),
        "stop_timeout": DEFAULT_STOP_TIMEOUT if stop_timeout is None else int(stop_timeout),
        "restart_policy": normalize_restart_policy(params.get("restart_policy")),
    }


def user_labels(labels):
    return dict((key, value) for key, value in (labels or {}).items()
                if not key.startswith(SYSTEM_LABEL_PREFIXES))


def actual(record):
    """The compared options of a real container record (``ctr containers info`` JSON, parsed)."""
    labels = record.get("Labels") or {}
    spec = record.get("Spec") or {}
    process = spec.get("process") or {}
    linux = spec.get("linux") or {}
    resources = linux.get("resources") or {}
    namespaces = linux.get("namespaces") or []
    network = [entry for entry in namespaces if entry.get("type") == "network"]
    mounts = [{"type": mount.get("type"), "source": mount.get("source"), "target": mount.get("destination"),
               "options": list(mount.get("options") or [])}
              for mount in spec.get("mounts") or []
              if (mount.get("destination"), mount.get("type"), mount.get("source")) not in DEFAULT_MOUNTS]
    cpu = resources.get("cpu") or {}
    bounding = (process.get("capabilities") or {}).get("bounding") or []
    try:
        stop_timeout = int(labels.get(STOP_TIMEOUT_LABEL, DEFAULT_STOP_TIMEOUT))
    except ValueError:
        stop_timeout = None
    return {
        "image": record.get("Image") or "",
        "image_digest": labels.get(IMAGE_DIGEST_LABEL),
        "command": list(process.get("args") or []),
        "env": env_dict(process.get("env")),
        "labels": user_labels(labels),
        "mounts": _sorted_mounts(mounts),
        "user": labels.get(USER_LABEL, ""),
        "working_dir": process.get("cwd") or "/",
        "hostname": spec.get("hostname") or "",
        "tty": bool(process.get("terminal")),
        "privileged": "CAP_SYS_ADMIN" in bounding,
        "read_only": bool((spec.get("root") or {}).get("readonly")),
        "net_host": not network,
        "network_namespace": (network[0].get("path") or None) if network else None,
        "memory": (resources.get("memory") or {}).get("limit"),
        "cpus": cfs_to_cpus(cpu.get("quota"), cpu.get("period")),
        "runtime": (record.get("Runtime") or {}).get("Name") or "",
        "snapshotter": record.get("Snapshotter") or None,
        "stop_signal": normalize_signal(labels.get(STOP_SIGNAL_LABEL) or DEFAULT_STOP_SIGNAL),
        "stop_timeout": stop_timeout,
        "restart_policy": labels.get(RESTART_POLICY_LABEL) or "no",
    }


def compare(differences, want, have, baseline=None):
    """Record in ``differences`` (a diff.Differences) every compared option where ``have`` is not ``want``.

    ``baseline`` (a Baseline, default: an image that supplies nothing) is what the image supplies: labels the image's config carries are no drift
    (ctr copies them onto the container), and with the image unknown only declared values are compared.
    Options the module cannot know are not compared: ``snapshotter`` when not asked for (the daemon's default
    applies), ``image_digest`` when the container carries no digest label (created by other tools) or the
    image's digest is unknown.
    """
    baseline = baseline or Baseline({}, {})
    for name in COMPARED:
        if name == "snapshotter" and want[name] is None:
            continue
        if name == "image_digest" and (have[name] is None or want[name] is None):
            continue
        before, after = baseline.compared(name, want, _env_as_declared(want, have) if name == "env" else have)
        differences.compare(name, before, after)
    return differences


def _env_as_declared(want, have):
    """``have`` with an env without the ``HOSTNAME`` that ``ctr --net-host`` adds by itself (unless declared)."""
    env = have["env"]
    if have["net_host"] and "HOSTNAME" in env and "HOSTNAME" not in want["env"]:
        have = dict(have, env=dict((key, value) for key, value in env.items() if key != "HOSTNAME"))
    return have


def create_options(want, declared):
    """What the client needs to create the container ``want`` describes: the ``declared`` labels (ctr copies
    the image's own labels by itself) and the labels the collection owns."""
    labels = dict(declared)
    labels.update(restart_policy_labels(want["restart_policy"]))
    if want["image_digest"]:
        labels[IMAGE_DIGEST_LABEL] = want["image_digest"]
    if want["user"]:
        labels[USER_LABEL] = want["user"]
    labels[STOP_TIMEOUT_LABEL] = str(want["stop_timeout"])
    options = dict((key, want[key]) for key in (
        "command", "env", "mounts", "user", "working_dir", "hostname", "tty", "privileged", "read_only",
        "net_host", "network_namespace", "memory", "runtime", "snapshotter"))
    options["cfs"] = cpus_to_cfs(want["cpus"])
    options["labels"] = labels
    options["stop_signal"] = want["stop_signal"]
    return options


def view(want_or_have, name):
    """The container as the module returns it: the compared options plus its name."""
    result = dict(want_or_have)
    result["name"] = name
    return result
