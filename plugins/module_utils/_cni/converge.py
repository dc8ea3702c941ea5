# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge code of the ``cni_network`` module: a network's conflist present or absent, a named netns
attached or detached.

``converge(params, runtime, run)`` takes the module's parameters (never changed), a ``CniRuntime`` (the
only thing that runs plugins) and a ``RunContext``; it returns an ``Outcome`` and raises the typed errors
of ``_common/errors.py`` (``InvalidConflist`` for options that cannot work, ``CniError`` for the rest).
"""

from __future__ import annotations

import os

from ansible_collections.containerd.runtime.plugins.module_utils._cni import runtime as cni
from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CniError, InvalidConflist
from ansible_collections.containerd.runtime.plugins.module_utils._common.files import write_atomically

BRIDGE_OPTIONS = ("bridge", "subnets", "gateway", "is_gateway", "ip_masq", "hairpin_mode", "promisc_mode", "mtu",
                  "routes", "port_mappings", "firewall", "ipam_data_dir")
BRIDGE_DEFAULTS = dict(is_gateway=True, ip_masq=True, hairpin_mode=False, promisc_mode=False, port_mappings=False,
                       firewall=False)
STATES = ("present", "absent", "attached", "detached")
_NOT_RETURNED = object()  # present and absent return no attachment key at all


class Outcome(object):
    """What a converge did (or would do in check mode): ``changed``, ``actions`` (the text of the result,
    built from what was done), ``network`` and ``attachment`` (facts), ``differences`` (for diff mode) and
    ``warnings``."""

    def __init__(self, changed=False, actions=None, network=None, differences=None, warnings=None,
                 attachment=_NOT_RETURNED):
        self.changed = changed
        self.actions = list(actions or [])
        self.network = network
        self.differences = differences if differences is not None else Differences()
        self.warnings = list(warnings or [])
        self.attachment = attachment

    def result(self, diff=False):
        """The module's result."""
        out = dict(changed=self.changed, actions=self.actions, network=self.network)
        if self.attachment is not _NOT_RETURNED:
            out["attachment"] = self.attachment
        if diff:
            out["diff"] = self.differences.diff()
        return out


def check_params(params):
    """InvalidConflist naming every option that cannot work (checked before anything runs)."""
    checks = [(cni_config.name_error, "name", "network name"), (cni_config.ifname_error, "bridge", "bridge name")]
    if params["state"] in ("attached", "detached"):
        checks += [(cni_config.name_error, "netns", "netns"), (cni_config.name_error, "container_id", "container_id"),
                   (cni_config.ifname_error, "ifname", "ifname")]
    optional = ("bridge", "container_id")
    errors = [check(params[option], what) for check, option, what in checks
              if not (option in optional and params[option] is None)]
    errors = [message for message in errors if message]
    if params["state"] == "present" and not params["plugins"] and not params["subnets"]:
        errors.append("state=present needs either subnets (a bridge network) or a raw plugins list")
    _raise_errors(errors)


def converge(params, runtime, run):
    """Converge the network (or attachment) ``params`` describes; return an Outcome."""
    return STATE_FUNCTIONS[params["state"]](params, runtime, run)


def _raise_errors(errors):
    if errors:
        raise InvalidConflist("; ".join(errors))


def desired_conflist(params):
    if params["plugins"]:
        return cni_config.build_raw_conflist(params["name"], params["cni_version"], params["plugins"])
    options = dict((key, params[key]) for key in BRIDGE_OPTIONS)
    for key, value in BRIDGE_DEFAULTS.items():
        if options[key] is None:
            options[key] = value
    return cni_config.build_bridge_conflist(params["name"], params["cni_version"], **options)


def attachments_of(runtime, conflist, with_facts=True):
    """Cached attachments of the network plus host-local leases no cache entry explains."""
    bridges = cni_config.bridges(conflist)
    out = []
    seen = set()
    for attachment in runtime.cached_attachments(network=conflist["name"]):
        seen.add((attachment["container_id"], attachment["ifname"]))
        entry = dict((key, attachment[key]) for key in ("container_id", "ifname", "netns", "ips", "mac", "ports"))
        entry["source"] = "cache"
        entry["host_veth"] = cni.host_veth(attachment, bridges) if with_facts else None
        out.append(entry)
    for lease in cni.ipam_leases(conflist):
        key = (lease["container_id"], lease["ifname"])
        if key in seen:
            continue
        found = [entry for entry in out if entry["source"] == "ipam" and
                 (entry["container_id"], entry["ifname"]) == key]
        if found:
            found[0]["ips"].append(lease["address"])
            continue
        out.append({"container_id": lease["container_id"], "ifname": lease["ifname"], "netns": None,
                    "ips": [lease["address"]], "mac": None, "ports": [], "source": "ipam", "host_veth": None})
    return out


def network_facts(runtime, conflist, path):
    if conflist is None:
        return None
    bridges = cni_config.bridges(conflist)
    return {
        "name": conflist["name"],
        "file": path,
        "conflist": conflist,
        "subnets": [str(subnet) for subnet in cni_config.subnets(conflist)],
        "bridge": cni.bridge_facts(bridges[0]) if bridges else None,
        "attachments": attachments_of(runtime, conflist),
    }


def present(params, runtime, run):
    desired = desired_conflist(params)
    errors = cni_config.shape_errors(desired)
    binaries = cni_config.binary_errors(desired, runtime.bin_dirs)
    errors += binaries
    if not errors:
        errors += runtime.version_errors(desired)
    others = cni_config.scan(params["conf_dir"])
    errors += cni_config.overlap_errors(desired, others)
    _raise_errors(errors)

    name = params["name"]
    path = os.path.join(params["conf_dir"], "%s-%s.conflist" % (params["priority"], name))
    current, matches = cni_config.find(params["conf_dir"], name)
    if os.path.exists(path) and not any(match["file"] == path for match in matches):
        raise InvalidConflist("%s exists and is not the configuration of network %s; remove it or change priority"
                              % (path, name))
    at_path = [match for match in matches if match["file"] == path]
    differences = Differences()
    if current is None:
        differences.add("state", "absent", "present")
    differences.compare("file", current["file"] if current else None, path)
    differences.compare("conflist", current["conflist"] if current else None, desired)
    write = not at_path or at_path[0]["conflist"] != desired
    stale = [match["file"] for match in matches if match["file"] != path]
    actions = ["wrote %s" % path] if write else []
    actions += ["removed %s (another file defining network %s)" % (stale_path, name) for stale_path in stale]
    if not run.check_mode:
        if write:
            write_atomically(path, cni_config.serialise(desired), mode=0o644, prefix=".%s." % os.path.basename(path),
                             dir_mode=0o755, keep_attrs=True)
        for stale_path in stale:
            os.unlink(stale_path)
    return Outcome(changed=write or bool(stale), actions=actions, network=network_facts(runtime, desired, path),
                   differences=differences)


def _in_use_message(name, attachments):
    return ("network %s still has %d attachment(s): %s; detach them first (state=detached) or remove the "
            "containers" % (name, len(attachments), ", ".join(
                "%s (%s%s%s)" % (a["container_id"], a["ifname"], ", netns %s" % a["netns"] if a["netns"] else "",
                                 ", " + " ".join(a["ips"]) if a["ips"] else "") for a in attachments)))


def absent(params, runtime, run):
    name = params["name"]
    current, matches = cni_config.find(params["conf_dir"], name)
    if current is None:
        return Outcome()
    conflist = current["conflist"]
    attachments = attachments_of(runtime, conflist, with_facts=False)
    if attachments:
        raise CniError(_in_use_message(name, attachments), extra={"attachments": attachments})
    differences = Differences()
    differences.add("state", "present", "absent")
    differences.add("conflist", conflist, None)
    actions = ["removed %s" % match["file"] for match in matches]
    warnings = []
    others = [other for other in cni_config.scan(params["conf_dir"]) if other["name"] != name]
    used_elsewhere = set(bridge for other in others for bridge in cni_config.bridges(other["conflist"]))
    remove_bridges = []
    for bridge in cni_config.bridges(conflist):
        facts = cni.bridge_facts(bridge)
        if facts is None or bridge in used_elsewhere:
            continue
        if facts["members"]:
            warnings.append("bridge %s of network %s is kept: %s still plugged into it"
                            % (bridge, name, ", ".join(facts["members"])))
            continue
        remove_bridges.append(bridge)
        actions.append("removed bridge %s" % bridge)
    ipam_dirs = [os.path.join(data_dir, name) for data_dir in cni_config.ipam_data_dirs(conflist)]
    ipam_dirs = [directory for directory in ipam_dirs if os.path.isdir(directory)]
    actions += ["removed IPAM state %s" % directory for directory in ipam_dirs]
    if not run.check_mode:
        for match in matches:
            os.unlink(match["file"])
        for bridge in remove_bridges:
            cni.delete_link(bridge)
        for directory in ipam_dirs:
            lease_shaped = [entry for entry in os.listdir(directory) if cni.is_lease_file(entry)]
            for entry in lease_shaped:
                os.unlink(os.path.join(directory, entry))
            try:
                os.rmdir(directory)
            except OSError:
                warnings.append("kept %s: it holds files that are not host-local IPAM state" % directory)
    return Outcome(changed=True, actions=actions, differences=differences, warnings=warnings)


def defined_network(params):
    """The network's definition (name, file, conflist); InvalidConflist when it is not defined."""
    current = cni.find_network(params["conf_dir"], params["name"])
    if current is None:
        raise InvalidConflist("network %s is not defined in %s: create it first (state=present) or check conf_dir"
                              % (params["name"], params["conf_dir"]))
    return current


def attachment_view(attachment):
    """What the diff shows of an attachment."""
    if attachment is None:
        return None
    return {"netns": attachment["netns"], "ifname": attachment["ifname"], "ips": attachment["ips"],
            "ports": attachment["ports"]}


def attached(params, runtime, run):
    current = defined_network(params)
    conflist = current["conflist"]
    container_id = params["container_id"] or params["netns"]
    errors = cni_config.binary_errors(conflist, runtime.bin_dirs)
    errors += cni_config.static_ip_errors(conflist, params["ips"])
    mappings = []
    try:
        mappings = cni_config.parse_ports(params["ports"])
    except InvalidConflist as error:
        errors.append(error.message)
    if mappings and "portMappings" not in cni_config.capabilities(conflist):
        errors.append("network %s cannot publish ports: it has no plugin with the portMappings capability "
                      "(set port_mappings: true on the network)" % params["name"])
    _raise_errors(errors)
    entry = runtime.cached(params["name"], container_id, params["ifname"])
    before = cni.summary_of(entry) if entry else None
    changed, attachment, actions = runtime.attach_netns(
        conflist, params["netns"], container_id, params["ifname"], params["ips"], mappings, run.check_mode)
    attachment = dict(attachment)
    attachment["host_veth"] = cni.host_veth(attachment, cni_config.bridges(conflist))
    differences = Differences()
    if changed:
        differences.add("attachment", attachment_view(before), attachment_view(attachment))
    return Outcome(changed=changed, actions=actions, attachment=attachment, differences=differences,
                   network=network_facts(runtime, conflist, current["file"]))


def detached(params, runtime, run):
    container_id = params["container_id"] or params["netns"]
    current = cni.find_network(params["conf_dir"], params["name"])
    conflist = current["conflist"] if current else None
    if conflist is None:
        entry = runtime.cached(params["name"], container_id, params["ifname"])
        conflist = entry["conflist"] if entry else None
    if conflist is None:
        return Outcome(attachment=None)
    path = cni.netns_path(params["netns"])
    changed, before, actions = runtime.ensure_detached(conflist, path, container_id, params["ifname"],
                                                       run.check_mode)
    remove_netns = False
    if changed and not params["keep_netns"] and cni.netns_exists(params["netns"]):
        this = (params["name"], container_id, params["ifname"])
        remove_netns = not [a for a in runtime.cached_attachments()
                            if a["netns"] == path and (a["network"], a["container_id"], a["ifname"]) != this]
    if remove_netns:
        actions.append("removed network namespace %s" % params["netns"])
        if not run.check_mode:
            cni.remove_netns(params["netns"])
    differences = Differences()
    if changed:
        differences.add("attachment", attachment_view(before), None)
    return Outcome(changed=changed, actions=actions, attachment=before, differences=differences,
                   network=network_facts(runtime, conflist, current["file"] if current else None))


STATE_FUNCTIONS = dict(present=present, absent=absent, attached=attached, detached=detached)
