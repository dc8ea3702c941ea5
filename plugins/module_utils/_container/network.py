# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Containers on CNI networks: the glue between the container/task modules and ``cni.CniRuntime``.

A container on networks gets a named network namespace ``<namespace>--<container>`` (``--`` cannot occur in
a containerd identifier, so the name is unambiguous; it is also the CNI container ID), attached to each of its
networks, and joins it (its ``network_namespace`` is the netns path).

What the task module needs to re-create and re-attach the netns after a reboot (networks, ports, CNI
directories) is kept in the container's ``containerd.runtime/networks`` label: base64 of compact JSON, since
ctr's ``--label`` flag splits values on commas.

``commands`` runs the CNI plugins: an object with ``AnsibleModule.run_command`` (the module passes its own).
"""

from __future__ import annotations

import base64
import json
import os

from ansible_collections.containerd.runtime.plugins.module_utils._cni import runtime as cni
from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CniError,
    InvalidConflist,
    MissingRequirement,
)

LABEL = "containerd.runtime/networks"


def path_options():
    """Argument spec of the CNI paths (doc fragment ``containerd.runtime.cni_paths``)."""
    return dict(
        cni_conf_dir=dict(type="path", default=cni_config.DEFAULT_CONF_DIR),
        cni_bin_dir=dict(type="list", elements="path", default=[cni_config.DEFAULT_BIN_DIR]),
        cni_cache_dir=dict(type="path", default=cni.DEFAULT_CACHE_DIR),
    )


def require_pyroute2():
    """Raise MissingRequirement when pyroute2 (which containers on networks need) is not installed."""
    if not cni.HAS_PYROUTE2:
        from ansible.module_utils.basic import missing_required_lib
        raise MissingRequirement(missing_required_lib("pyroute2"), extra={"exception": cni.PYROUTE2_IMPORT_ERROR})


def netns_name(namespace, name):
    return "%s--%s" % (namespace, name)


def normalise_networks(networks):
    """The ``networks`` option as [{name, ifname, ips}] (ifname default eth0, eth1 … in order)."""
    out = []
    for index, item in enumerate(networks or []):
        spec = dict(item) if isinstance(item, dict) else {"name": item}
        if isinstance(spec.get("ips"), str):
            spec["ips"] = [spec["ips"]]
        out.append({"name": str(spec.get("name") or ""), "ifname": str(spec.get("ifname") or "eth%d" % index),
                    "ips": [str(ip) for ip in spec.get("ips") or []]})
    return out


class Plan(object):
    """The networks a container asks for, loaded and validated; ``errors`` lists what is wrong."""

    def __init__(self, params, namespace):
        self.networks = normalise_networks(params.get("networks"))
        self.ports = list(params.get("ports") or [])
        self.conf_dir = params.get("cni_conf_dir") or cni_config.DEFAULT_CONF_DIR
        self.bin_dirs = list(params.get("cni_bin_dir") or [cni_config.DEFAULT_BIN_DIR])
        self.cache_dir = params.get("cni_cache_dir") or cni.DEFAULT_CACHE_DIR
        self.netns = netns_name(namespace, params["name"])
        self.conflists = {}
        self.mappings = []
        self.port_network = None
        self.errors = []
        if self.networks or self.ports:
            self._validate(params)

    def __bool__(self):
        return bool(self.networks)

    __nonzero__ = __bool__

    @property
    def netns_path(self):
        return cni.netns_path(self.netns)

    def _validate(self, params):
        errors = self.errors
        if params.get("net_host") or params.get("network_namespace"):
            errors.append("networks and ports cannot be combined with net_host or network_namespace")
        if self.ports and not self.networks:
            errors.append("ports need networks: publish ports of a container attached to a network")
        try:
            self.mappings = cni_config.parse_ports(self.ports)
        except InvalidConflist as error:
            errors.append(error.message)
        for item in params.get("networks") or []:
            unknown = sorted(set(item) - {"name", "ifname", "ips"}) if isinstance(item, dict) else []
            if unknown or not isinstance(item, (dict, str)):
                errors.append("networks: %r is not a network name nor a dict with name, ifname and ips" % (item,))
        names, ifnames = set(), set()
        for network in self.networks:
            message = cni_config.name_error(network["name"], "network name") or cni_config.ifname_error(
                network["ifname"], "interface name of network %s" % network["name"])
            if message:
                errors.append(message)
                continue
            if network["name"] in names or network["ifname"] in ifnames:
                errors.append("network %s (interface %s): each network and interface can be given only once"
                              % (network["name"], network["ifname"]))
            names.add(network["name"])
            ifnames.add(network["ifname"])
            try:
                conflist = cni.load_network(self.conf_dir, network["name"])
            except CniError as error:
                errors.append(error.message)
                continue
            self.conflists[network["name"]] = conflist
            errors.extend(cni_config.binary_errors(conflist, self.bin_dirs))
            errors.extend(cni_config.static_ip_errors(conflist, network["ips"]))
            if self.port_network is None and "portMappings" in cni_config.capabilities(conflist):
                self.port_network = network["name"]
        if self.mappings and self.conflists and self.port_network is None:
            errors.append("ports cannot be published: none of the networks %s has a plugin with the portMappings "
                          "capability (set port_mappings: true on one of them)" % ", ".join(sorted(self.conflists)))

    def compared(self):
        """The compared options ``networks`` and ``ports``."""
        return {"networks": self.networks, "ports": self.mappings}

    def label(self):
        data = {"netns": self.netns, "networks": self.networks, "ports": self.mappings, "conf_dir": self.conf_dir,
                "bin_dir": self.bin_dirs, "cache_dir": self.cache_dir}
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return {LABEL: base64.b64encode(raw).decode("ascii")}


def stored(record):
    """The networks label of a container record, decoded; None when it has none (or it is unreadable)."""
    value = ((record or {}).get("Labels") or {}).get(LABEL)
    if not value:
        return None
    try:
        data = json.loads(base64.b64decode(value).decode("utf-8"))
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not data.get("netns"):
        return None
    data["networks"] = normalise_networks(data.get("networks"))
    data["ports"] = list(data.get("ports") or [])
    return data


def actual(record):
    data = stored(record) or {}
    return {"networks": data.get("networks") or [], "ports": data.get("ports") or []}


def _interface(attachment):
    """What the module returns per attachment: network, ifname, ips, mac, addresses."""
    mac = attachment.get("mac")
    if not mac and attachment.get("netns") and cni.netns_exists(attachment["netns"]):
        facts = cni.link_facts(attachment["ifname"], netns=attachment["netns"])
        mac = facts["mac"] if facts else None
    return {"network": attachment["network"], "ifname": attachment["ifname"], "ips": attachment.get("ips") or [],
            "mac": mac, "addresses": attachment.get("addresses") or [], "ports": attachment.get("ports") or []}


def attach(commands, data, conflists, check_mode):
    """Create the netns unless it exists and make every attachment healthy (CHECK, else (re-)ADD).

    ``data``: a Plan or a stored label (netns, networks, ports, cache_dir, bin_dir); ``conflists``: name -> conflist.
    Returns (changed, interfaces, actions). A failure removes again what this call created.
    """
    runtime = cni.CniRuntime(commands, data["bin_dir"], data["cache_dir"])
    netns = data["netns"]
    path = cni.netns_path(netns)
    actions, interfaces, created, attached = [], [], False, []
    if not cni.netns_exists(netns):
        actions.append("created network namespace %s" % netns)
        if not check_mode:
            cni.ensure_netns(netns)
            created = True
    port_network = data.get("port_network")
    try:
        for network in data["networks"]:
            conflist = conflists[network["name"]]
            mappings = data["ports"] if network["name"] == port_network else None
            if check_mode and not cni.netns_exists(netns):
                caps = cni.capability_args(network["ips"], mappings)
                attachment = cni.summarize(network["name"], netns, network["ifname"], path, None, caps)
                attachment["ips"] = list(network["ips"])
                more = ["attached %s (%s) to network %s" % (netns, network["ifname"], network["name"])]
            else:
                _changed, attachment, more = runtime.ensure_attached(
                    conflist, path, netns, network["ifname"], network["ips"], mappings, check_mode)
                if more and not check_mode:
                    attached.append((conflist, network["ifname"]))
            actions += more
            interfaces.append(_interface(attachment))
    except CniError:
        if not check_mode:
            for conflist, ifname in reversed(attached):
                try:
                    runtime.detach(conflist, path, netns, ifname)
                except CniError:
                    pass
            if created:
                cni.remove_netns(netns)
        raise
    return bool(actions), interfaces, actions


def plan_data(plan):
    return {"netns": plan.netns, "networks": plan.networks, "ports": plan.mappings, "bin_dir": plan.bin_dirs,
            "cache_dir": plan.cache_dir, "port_network": plan.port_network}


def attach_plan(commands, plan, check_mode):
    return attach(commands, plan_data(plan), plan.conflists, check_mode)


def detach(commands, record, check_mode):
    """Detach (DEL) every network of a container's label and remove its netns; return the actions."""
    data = stored(record)
    if data is None:
        return []
    require_pyroute2()
    runtime = cni.CniRuntime(commands, data.get("bin_dir"), data.get("cache_dir"))
    netns = data["netns"]
    path = cni.netns_path(netns)
    actions = []
    for network in reversed(data["networks"]):
        try:
            conflist = cni.load_network(data.get("conf_dir") or cni_config.DEFAULT_CONF_DIR, network["name"])
        except CniError:
            entry = runtime.cached(network["name"], netns, network["ifname"])
            conflist = entry["conflist"] if entry else None
        if conflist is None:
            continue
        changed, _before, more = runtime.ensure_detached(conflist, path, netns, network["ifname"], check_mode)
        if changed:
            actions += more
    if cni.netns_exists(netns) or os.path.exists(path):
        actions.append("removed network namespace %s" % netns)
        if not check_mode:
            cni.remove_netns(netns)
    return actions


def reattach(commands, record, check_mode):
    """Before a task starts: re-create and re-attach the netns of a container on networks when it is gone
    or unhealthy (after a reboot /run is empty). Returns the actions; [] for a container without networks."""
    data = stored(record)
    if data is None:
        return []
    require_pyroute2()
    conflists = {}
    for network in data["networks"]:
        entry = cni.CniRuntime(commands, data.get("bin_dir"), data.get("cache_dir")).cached(
            network["name"], data["netns"], network["ifname"])
        try:
            conflists[network["name"]] = cni.load_network(data.get("conf_dir") or cni_config.DEFAULT_CONF_DIR,
                                                          network["name"])
        except CniError:
            if entry is None or entry["conflist"] is None:
                raise
            conflists[network["name"]] = entry["conflist"]
    ports = data["ports"]
    data["port_network"] = None
    if ports:
        data["port_network"] = next((n["name"] for n in data["networks"]
                                     if "portMappings" in cni_config.capabilities(conflists[n["name"]])), None)
    _changed, _interfaces, actions = attach(commands, data, conflists, check_mode)
    return actions


def cached_interfaces(record):
    """[{network, ifname, ips, mac}] of a container's networks, from its networks label and the CNI result
    cache (read only: no plugin runs, no netns is entered); [] for a container on no network."""
    data = stored(record)
    if not data:
        return []
    runtime = cni.CniRuntime(None, data.get("bin_dir"), data.get("cache_dir"))
    out = []
    for network in data["networks"]:
        entry = runtime.cached(network["name"], data["netns"], network["ifname"])
        summary = cni.summary_of(entry) if entry else {}
        out.append({"network": network["name"], "ifname": network["ifname"],
                    "ips": summary.get("ips") or list(network["ips"]), "mac": summary.get("mac")})
    return out
