# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every option of a container, declared once.

``TABLE`` maps an option to (its argument spec in the ``container`` module, how a ``workloads`` entry takes it).
The second part is ``SAME`` (an entry key of the same name and spec), ``None`` (entries cannot set it: their
container gets the ``container`` module's default) or a dict overriding parts of the spec for entries (their
``state`` and ``pull`` mean other things than the module's). Entry-only keys have ``None`` as first part.

From it: the ``container`` module's argument spec (``container_spec``), the spec entries are validated with
(``entry_spec``, through ansible-core's ``ArgumentSpecValidator`` in ``_workloads/entries.py``), and the
container parameters of an entry (``container_params``). tests/unit/.../_container/test_options.py holds the
table against the ``container`` module's DOCUMENTATION, the ``workloads`` module's prose and the role's
``meta/argument_specs.yml``.
"""

from __future__ import annotations

import copy

from ansible_collections.containerd.runtime.plugins.module_utils._container import spec

SAME = {}

MOUNT_OPTIONS = dict(
    type=dict(type="str", default="bind", choices=["bind", "tmpfs"]),
    source=dict(type="path"),
    target=dict(type="str", required=True),
    read_only=dict(type="bool", default=False),
    options=dict(type="list", elements="str"),
)

HEALTHCHECK = dict(
    type="dict",
    options=dict(
        exec=dict(type="raw"),
        tcp_port=dict(type="int"),
        host=dict(type="str"),
        retries=dict(type="int", default=10),
        interval=dict(type="float", default=1.0),
        start_period=dict(type="float", default=0.0),
    ),
    mutually_exclusive=[["exec", "tcp_port"]],
    required_one_of=[["exec", "tcp_port"]],
)

TABLE = dict(
    name=(dict(type="str", required=True), SAME),
    state=(dict(type="str", default="present", choices=["present", "running", "stopped", "absent"]),
           dict(default="running", choices=["running", "stopped", "absent"])),
    image=(dict(type="str"), SAME),
    namespace=(None, dict(type="str")),  # the container module's namespace is a connection option
    pull=(dict(type="str", default="never", choices=["never", "missing"]),
          dict(default="missing", choices=["missing", "always"])),
    command=(dict(type="raw"), SAME),
    entrypoint=(dict(type="raw"), SAME),
    env=(dict(type="dict"), SAME),
    labels=(dict(type="dict"), SAME),
    mounts=(dict(type="list", elements="dict", options=MOUNT_OPTIONS), SAME),
    user=(dict(type="str"), SAME),
    working_dir=(dict(type="str"), SAME),
    hostname=(dict(type="str"), None),
    tty=(dict(type="bool", default=False), None),
    privileged=(dict(type="bool", default=False), SAME),
    read_only=(dict(type="bool", default=False), SAME),
    net_host=(dict(type="bool", default=False), SAME),
    network_namespace=(dict(type="path"), None),
    memory=(dict(type="str"), SAME),
    cpus=(dict(type="float"), SAME),
    runtime=(dict(type="str", default=spec.DEFAULT_RUNTIME), None),
    snapshotter=(dict(type="str"), None),
    stop_signal=(dict(type="str"), None),
    stop_timeout=(dict(type="int", default=spec.DEFAULT_STOP_TIMEOUT), None),
    restart_policy=(dict(type="str", default="no"), SAME),
    recreate=(dict(type="bool", default=False), None),
    log_path=(dict(type="path"), None),
    networks=(dict(type="list", elements="raw"), SAME),
    ports=(dict(type="list", elements="str"), SAME),
    healthcheck=(None, HEALTHCHECK),
)


def container_spec():
    """The ``container`` module's own options (without the connection and CNI path options)."""
    return dict((name, copy.deepcopy(module)) for name, (module, _entry) in TABLE.items() if module is not None)


def entry_spec():
    """The keys of a ``workloads`` entry, as an argument spec."""
    out = {}
    for name, (module, entry) in TABLE.items():
        if entry is not None:
            out[name] = copy.deepcopy(dict(module or {}, **entry))
    return out


def container_params(entry, options):
    """The ``container`` module's parameters (all of them, its defaults applied) for a validated entry.

    ``options``: the ``workloads`` module's connection and CNI options (address, ctr_path, timeout, cni_*).
    An entry's ``state`` other than absent is the container's ``present``; its image is pulled when missing
    (``pull: always`` is the batch's own step before).
    """
    params = dict((key, options.get(key)) for key in ("address", "ctr_path", "timeout", "cni_conf_dir",
                                                      "cni_bin_dir", "cni_cache_dir"))
    for name, (module, entry_option) in TABLE.items():
        if module is not None:
            params[name] = module.get("default") if entry_option is None else entry.get(name)
    params.update(namespace=entry["namespace"], state="absent" if entry["state"] == "absent" else "present",
                  pull="missing")
    return params
