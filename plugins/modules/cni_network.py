#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cni_network
short_description: Manage CNI networks and attach network namespaces to them
version_added: 0.4.0
description:
  - Writes, changes and removes the configuration list (C(.conflist)) of a CNI network in O(conf_dir),
    either for the common bridge network (a Linux bridge with host-local IPAM, IPv4 and/or IPv6, optional
    C(portmap) and C(firewall)) built from high-level options, or from a raw O(plugins) list for anything
    else (macvlan, ipvlan, ptp, host-device ...).
  - The file is validated before it is written (JSON shape, every plugin binary present and executable in
    O(bin_dir) and supporting O(cni_version), subnets that parse and do not overlap the subnets of another
    network in O(conf_dir), bridge names of at most 15 characters not used by another network), then written
    atomically. A change is reported with a diff.
  - Removing a network that still has attachments (cached CNI results or host-local IP leases) fails with the
    list of them, and removes nothing. Removing an unused network also removes its bridge (when nothing is
    plugged into it) and its host-local IPAM state directory.
  - O(state=attached) and O(state=detached) attach a bare named network namespace (the ones C(ip netns) lists)
    to the network, or detach it, the way the CNI plugins' C(priv-net-run.sh) does by hand. The namespace is
    created when missing, the plugins are called with C(ADD), C(CHECK) and C(DEL) as the CNI specification
    says, results are cached like libcni does under O(cache_dir), and a failed attach deletes again whatever
    it added (veth, IP lease, iptables rules, the namespace it created).
  - Facts are read from the kernel with pyroute2 - the bridge with its addresses, and for each attachment the
    host side of its veth.
author:
  - containerd.runtime developers (@containerd-runtime)
requirements:
  - pyroute2 on the managed host
  - the CNI plugins (C(containernetworking-plugins)) in O(bin_dir)
  - C(iptables) when O(ip_masq), O(port_mappings) or O(firewall) are used
extends_documentation_fragment:
  - containerd.runtime.connection.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description:
      - Name of the CNI network (the C(name) of the conflist).
      - Letters and digits first, then letters, digits, C(_), C(.) or C(-).
    type: str
    required: true
  state:
    description:
      - V(present) writes the network's conflist; V(absent) removes it (and its unused bridge and IPAM state).
      - V(attached) attaches the named network namespace O(netns) to the existing network; V(detached) detaches it.
    type: str
    choices: [present, absent, attached, detached]
    default: present
  conf_dir:
    description:
      - Directory of the CNI network configuration files.
    type: path
    default: /etc/cni/net.d
  bin_dir:
    description:
      - Directories where the CNI plugin binaries are, searched in order (C(CNI_PATH)).
    type: list
    elements: path
    default: [/opt/cni/bin]
  cache_dir:
    description:
      - libcni's cache directory; attachment results are cached in its C(results) subdirectory so that
        C(CHECK) and C(DEL) get the result of the C(ADD).
    type: path
    default: /var/lib/cni
  cni_version:
    description:
      - The C(cniVersion) of the conflist. The plugins in O(bin_dir) must support it.
    type: str
    default: 1.0.0
  priority:
    description:
      - Prefix of the file name, C(<priority>-<name>.conflist); runtimes that pick the first network of
        O(conf_dir) pick the lowest.
    type: int
    default: 10
  plugins:
    description:
      - The raw plugin list of the conflist, for networks other than the high-level bridge network.
      - Each element is one plugin's configuration, a dict with at least C(type) (the plugin binary's name).
        C(name) and C(cniVersion) come from O(name) and O(cni_version).
      - Mutually exclusive with the high-level bridge options.
    type: list
    elements: dict
  bridge:
    description:
      - Name of the Linux bridge of a bridge network, at most 15 characters. Defaults to C(cni0), as the bridge
        plugin does; two networks of O(conf_dir) cannot use the same bridge.
    type: str
  subnets:
    description:
      - Subnets of a bridge network's host-local IPAM, IPv4 and/or IPv6 (one of each for dual stack).
      - Each element is a subnet (C(10.88.0.0/16)) or a dict with C(subnet) and optional C(gateway),
        C(range_start) and C(range_end).
      - Required for a bridge network.
    type: list
    elements: raw
  gateway:
    description:
      - Gateway addresses, each going to the subnet of O(subnets) that contains it (host-local's default is
        the first address of the subnet).
    type: list
    elements: str
  is_gateway:
    description:
      - Give the bridge the gateway address, so that the host routes to the attached namespaces. Default V(true).
      - The bridge plugin then enables IP forwarding on the host.
    type: bool
  ip_masq:
    description:
      - Masquerade traffic leaving the subnet (iptables rules per attachment, removed on detach). Default V(true).
    type: bool
  hairpin_mode:
    description:
      - Hairpin mode on the bridge ports. Default V(false).
    type: bool
  promisc_mode:
    description:
      - Promiscuous mode on the bridge. Default V(false).
    type: bool
  mtu:
    description:
      - MTU of the veth pairs.
    type: int
  routes:
    description:
      - Routes put into attached namespaces, each a destination (C(10.0.0.0/8)) or a dict with C(dst) and
        optional C(gw).
      - When not set and O(is_gateway) is on, a default route for each IP family of O(subnets); V([]) for none.
    type: list
    elements: raw
  port_mappings:
    description:
      - Add the C(portmap) plugin (capability C(portMappings)), so that attachments can publish ports (O(ports)).
        Default V(false).
    type: bool
  firewall:
    description:
      - Add the C(firewall) plugin (iptables rules that let the attachments' traffic through the host's
        FORWARD chain). Default V(false).
    type: bool
  ipam_data_dir:
    description:
      - host-local's C(dataDir), where IP leases are kept; host-local's default is C(/var/lib/cni/networks).
    type: path
  netns:
    description:
      - Name of the network namespace to attach or detach (O(state=attached) or O(state=detached)); it is
        created when attaching if it does not exist.
    type: str
  ifname:
    description:
      - Name of the interface inside O(netns).
    type: str
    default: eth0
  container_id:
    description:
      - The C(CNI_CONTAINERID) of the attachment; defaults to O(netns).
    type: str
  ips:
    description:
      - Static addresses to ask the network's IPAM for (at most one per IP family), passed as the C(ips)
        capability. Each must be in a subnet of the network, and the network must declare the C(ips) capability
        (bridge networks built by this module do).
    type: list
    elements: str
  ports:
    description:
      - Ports to publish from the attachment, C(HOST_PORT:CONTAINER_PORT), C(HOST_IP:HOST_PORT:CONTAINER_PORT/PROTO)
        (C(tcp), C(udp), C(sctp); IPv6 host addresses in brackets) or dicts with C(host_port), C(container_port),
        C(protocol) and C(host_ip). The network needs the C(portmap) plugin (O(port_mappings)).
    type: list
    elements: raw
  keep_netns:
    description:
      - With O(state=detached), keep the network namespace; by default it is removed after detaching.
    type: bool
    default: false
  address:
    description:
      - Not used by this module (it does not talk to containerd); accepted so that C(module_defaults) for the
        whole group can set it.
    type: str
  namespace:
    description:
      - Not used by this module; accepted so that C(module_defaults) for the whole group can set it.
    type: str
  ctr_path:
    description:
      - Not used by this module; accepted so that C(module_defaults) for the whole group can set it.
    type: path
  timeout:
    description:
      - Not used by this module; accepted so that C(module_defaults) for the whole group can set it.
    type: int
notes:
  - Plugins run as argument lists with their configuration on stdin, never through a shell.
  - Networks are not isolated from each other by firewall rules; with O(is_gateway) and routes between them,
    the host routes from one network to another.
"""

EXAMPLES = r"""
- name: The containerd guide's network, dual stack, with published ports
  containerd.runtime.cni_network:
    name: containerd-net
    bridge: cni0
    subnets:
      - 10.88.0.0/16
      - 2001:4860:4860::/64
    port_mappings: true

- name: A macvlan network from raw plugins
  containerd.runtime.cni_network:
    name: lan
    plugins:
      - type: macvlan
        master: eth1
        ipam:
          type: host-local
          ranges: [[{subnet: 192.168.50.0/24}]]

- name: Attach a bare network namespace, with a static IP and a published port (priv-net-run.sh)
  containerd.runtime.cni_network:
    name: containerd-net
    state: attached
    netns: web1
    ips: [10.88.0.10]
    ports: ["127.0.0.1:8080:80"]
  register: web1

- name: Detach it and remove the namespace
  containerd.runtime.cni_network:
    name: containerd-net
    state: detached
    netns: web1

- name: Remove the network (fails while something is attached)
  containerd.runtime.cni_network:
    name: containerd-net
    state: absent
"""

RETURN = r"""
network:
  description: The network after the task (its prediction in check mode); V(null) when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the network.
      type: str
      sample: containerd-net
    file:
      description: Path of the conflist file.
      type: str
      sample: /etc/cni/net.d/10-containerd-net.conflist
    conflist:
      description: The network configuration list.
      type: dict
    subnets:
      description: Subnets of the network's IPAM.
      type: list
      elements: str
      sample: ["10.88.0.0/16"]
    bridge:
      description:
        - The bridge read from the kernel (name, index, mac, mtu, state, addresses, members); V(null) when the
          network has no bridge or it does not exist yet (the bridge plugin creates it on the first attach).
      type: dict
    attachments:
      description:
        - What is attached - one entry per cached result or host-local IP lease, with container_id, ifname,
          netns, ips, mac, and host_veth (the host side of the veth read from the kernel, or V(null)).
      type: list
      elements: dict
attachment:
  description:
    - With O(state=attached), the attachment (its prediction in check mode); with O(state=detached), what was
      detached, or V(null).
    - Keys are network, container_id, ifname, netns, mac, ips (C(address/prefix)), addresses (address, gateway,
      family), host_interfaces, host_veth, routes, dns, ports, static_ips and result (the raw CNI result).
  returned: when O(state) is V(attached) or V(detached)
  type: dict
  sample: {"network": "containerd-net", "netns": "/var/run/netns/web1", "ifname": "eth0",
           "ips": ["10.88.0.10/16"], "mac": "6e:0c:35:1e:4a:51"}
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: str
  sample: ["wrote /etc/cni/net.d/10-containerd-net.conflist"]
attachments:
  description: With O(state=absent), the attachments that prevent the removal.
  returned: on failure to remove a network that is in use
  type: list
  elements: dict
diff:
  description: Before and after of what differed.
  returned: when diff mode is on
  type: dict
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils import cni, cni_config
from ansible_collections.containerd.runtime.plugins.module_utils.diff import Differences

BRIDGE_OPTIONS = ("bridge", "subnets", "gateway", "is_gateway", "ip_masq", "hairpin_mode", "promisc_mode", "mtu",
                  "routes", "port_mappings", "firewall", "ipam_data_dir")
BRIDGE_DEFAULTS = dict(is_gateway=True, ip_masq=True, hairpin_mode=False, promisc_mode=False, port_mappings=False,
                       firewall=False)


def params_errors(params):
    errors = []
    message = cni_config.name_error(params["name"], "network name")
    if message:
        errors.append(message)
    if params["bridge"] is not None:
        message = cni_config.ifname_error(params["bridge"], "bridge name")
        if message:
            errors.append(message)
    if params["state"] in ("attached", "detached"):
        message = cni_config.name_error(params["netns"], "netns")
        if message:
            errors.append(message)
        if params["container_id"] is not None:
            message = cni_config.name_error(params["container_id"], "container_id")
            if message:
                errors.append(message)
        message = cni_config.ifname_error(params["ifname"], "ifname")
        if message:
            errors.append(message)
    if params["state"] == "present" and not params["plugins"] and not params["subnets"]:
        errors.append("state=present needs either subnets (a bridge network) or a raw plugins list")
    return errors


def desired_conflist(params):
    if params["plugins"]:
        return cni_config.build_raw_conflist(params["name"], params["cni_version"], params["plugins"])
    options = dict((key, params[key]) for key in BRIDGE_OPTIONS)
    for key, value in BRIDGE_DEFAULTS.items():
        if options[key] is None:
            options[key] = value
    return cni_config.build_bridge_conflist(params["name"], params["cni_version"], **options)


def fail_errors(module, errors, **result):
    if errors:
        module.fail_json(msg="; ".join(errors), **result)


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


def write_atomically(module, path, data):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, 0o644)
        module.atomic_move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def present(module, runtime):
    params = module.params
    try:
        desired = desired_conflist(params)
    except cni_config.ConfigError as error:
        module.fail_json(msg=error.message)
    errors = cni_config.shape_errors(desired)
    binaries = cni_config.binary_errors(desired, runtime.bin_dirs)
    errors += binaries
    if not errors:
        errors += runtime.version_errors(desired)
    others = cni_config.scan(params["conf_dir"])
    errors += cni_config.overlap_errors(desired, others)
    fail_errors(module, errors)

    name = params["name"]
    path = os.path.join(params["conf_dir"], "%s-%s.conflist" % (params["priority"], name))
    current, matches = cni_config.find(params["conf_dir"], name)
    if os.path.exists(path) and not any(match["file"] == path for match in matches):
        module.fail_json(msg="%s exists and is not the configuration of network %s; remove it or change priority"
                         % (path, name))
    at_path = [match for match in matches if match["file"] == path]
    differences = Differences()
    actions = []
    if current is None:
        differences.add("state", "absent", "present")
    differences.compare("file", current["file"] if current else None, path)
    differences.compare("conflist", current["conflist"] if current else None, desired)
    write = not at_path or at_path[0]["conflist"] != desired
    stale = [match["file"] for match in matches if match["file"] != path]
    if write:
        actions.append("wrote %s" % path)
    actions += ["removed %s (another file defining network %s)" % (stale_path, name) for stale_path in stale]
    if not module.check_mode:
        if write:
            write_atomically(module, path, cni_config.serialise(desired))
        for stale_path in stale:
            os.unlink(stale_path)
    changed = bool(actions)
    return dict(changed=changed, actions=actions, network=network_facts(runtime, desired, path)), differences


def absent(module, runtime):
    params = module.params
    current, matches = cni_config.find(params["conf_dir"], params["name"])
    differences = Differences()
    if current is None:
        return dict(changed=False, actions=[], network=None), differences
    conflist = current["conflist"]
    attachments = attachments_of(runtime, conflist, with_facts=False)
    if attachments:
        module.fail_json(
            msg="network %s still has %d attachment(s): %s; detach them first (state=detached) or remove the "
                "containers" % (params["name"], len(attachments), ", ".join(
                    "%s (%s%s%s)" % (a["container_id"], a["ifname"], ", netns %s" % a["netns"] if a["netns"] else "",
                                     ", " + " ".join(a["ips"]) if a["ips"] else "") for a in attachments)),
            attachments=attachments)
    differences.add("state", "present", "absent")
    differences.add("conflist", conflist, None)
    actions = ["removed %s" % match["file"] for match in matches]
    others = [other for other in cni_config.scan(params["conf_dir"]) if other["name"] != params["name"]]
    used_elsewhere = set(bridge for other in others for bridge in cni_config.bridges(other["conflist"]))
    remove_bridges = []
    for bridge in cni_config.bridges(conflist):
        facts = cni.bridge_facts(bridge)
        if facts is None or bridge in used_elsewhere:
            continue
        if facts["members"]:
            module.warn("bridge %s of network %s is kept: %s still plugged into it"
                        % (bridge, params["name"], ", ".join(facts["members"])))
            continue
        remove_bridges.append(bridge)
        actions.append("removed bridge %s" % bridge)
    ipam_dirs = [os.path.join(data_dir, params["name"]) for data_dir in cni_config.ipam_data_dirs(conflist)]
    ipam_dirs = [directory for directory in ipam_dirs if os.path.isdir(directory)]
    actions += ["removed IPAM state %s" % directory for directory in ipam_dirs]
    if not module.check_mode:
        for match in matches:
            os.unlink(match["file"])
        for bridge in remove_bridges:
            cni.delete_link(bridge)
        for directory in ipam_dirs:
            for entry in os.listdir(directory):
                os.unlink(os.path.join(directory, entry))
            os.rmdir(directory)
    return dict(changed=True, actions=actions, network=None), differences


def load_network(module, runtime, required=True):
    current, _matches = cni_config.find(module.params["conf_dir"], module.params["name"])
    if current is None:
        if required:
            module.fail_json(msg="network %s is not defined in %s: create it first (state=present) or check conf_dir"
                             % (module.params["name"], module.params["conf_dir"]))
        return None
    errors = cni_config.shape_errors(current["conflist"])
    fail_errors(module, ["%s: %s" % (current["file"], error) for error in errors])
    return current


def attachment_diff(before, after):
    def view(attachment):
        if attachment is None:
            return None
        return {"netns": attachment["netns"], "ifname": attachment["ifname"], "ips": attachment["ips"],
                "ports": attachment["ports"]}
    return view(before), view(after)


def attached(module, runtime):
    params = module.params
    current = load_network(module, runtime)
    conflist = current["conflist"]
    container_id = params["container_id"] or params["netns"]
    errors = cni_config.binary_errors(conflist, runtime.bin_dirs)
    errors += cni_config.static_ip_errors(conflist, params["ips"])
    mappings = []
    try:
        mappings = cni_config.parse_ports(params["ports"])
    except cni_config.ConfigError as error:
        errors.append(error.message)
    if mappings and "portMappings" not in cni_config.capabilities(conflist):
        errors.append("network %s cannot publish ports: it has no plugin with the portMappings capability "
                      "(set port_mappings: true on the network)" % params["name"])
    fail_errors(module, errors)
    entry = runtime.cached(params["name"], container_id, params["ifname"])
    before = cni.summary_of(entry) if entry else None
    changed, attachment, actions = runtime.attach_netns(
        conflist, params["netns"], container_id, params["ifname"], params["ips"], mappings, module.check_mode)
    attachment = dict(attachment)
    attachment["host_veth"] = cni.host_veth(attachment, cni_config.bridges(conflist))
    differences = Differences()
    if changed:
        old, new = attachment_diff(before, attachment)
        differences.add("attachment", old, new)
    return dict(changed=changed, actions=actions, attachment=attachment,
                network=network_facts(runtime, conflist, current["file"])), differences


def detached(module, runtime):
    params = module.params
    container_id = params["container_id"] or params["netns"]
    current = load_network(module, runtime, required=False)
    conflist = current["conflist"] if current else None
    if conflist is None:
        entry = runtime.cached(params["name"], container_id, params["ifname"])
        conflist = entry["conflist"] if entry else None
    differences = Differences()
    if conflist is None:
        return dict(changed=False, actions=[], attachment=None, network=None), differences
    path = cni.netns_path(params["netns"])
    changed, before, actions = runtime.ensure_detached(conflist, path, container_id, params["ifname"],
                                                       module.check_mode)
    if changed and not params["keep_netns"] and cni.netns_exists(params["netns"]):
        others = [a for a in runtime.cached_attachments() if a["netns"] == path
                  and (a["network"], a["container_id"], a["ifname"]) != (params["name"], container_id, params["ifname"])]
        if not others:
            actions.append("removed network namespace %s" % params["netns"])
            if not module.check_mode:
                cni.remove_netns(params["netns"])
    if changed:
        old, _new = attachment_diff(before, None)
        differences.add("attachment", old, None)
    return dict(changed=changed, actions=actions, attachment=before,
                network=network_facts(runtime, conflist, current["file"] if current else None)), differences


STATES = dict(present=present, absent=absent, attached=attached, detached=detached)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=list(STATES)),
            conf_dir=dict(type="path", default=cni_config.DEFAULT_CONF_DIR),
            bin_dir=dict(type="list", elements="path", default=[cni_config.DEFAULT_BIN_DIR]),
            cache_dir=dict(type="path", default=cni.DEFAULT_CACHE_DIR),
            cni_version=dict(type="str", default=cni_config.DEFAULT_CNI_VERSION),
            priority=dict(type="int", default=10),
            plugins=dict(type="list", elements="dict"),
            bridge=dict(type="str"),
            subnets=dict(type="list", elements="raw"),
            gateway=dict(type="list", elements="str"),
            is_gateway=dict(type="bool"),
            ip_masq=dict(type="bool"),
            hairpin_mode=dict(type="bool"),
            promisc_mode=dict(type="bool"),
            mtu=dict(type="int"),
            routes=dict(type="list", elements="raw"),
            port_mappings=dict(type="bool"),
            firewall=dict(type="bool"),
            ipam_data_dir=dict(type="path"),
            netns=dict(type="str"),
            ifname=dict(type="str", default="eth0"),
            container_id=dict(type="str"),
            ips=dict(type="list", elements="str"),
            ports=dict(type="list", elements="raw"),
            keep_netns=dict(type="bool", default=False),
            address=dict(type="str"),
            namespace=dict(type="str"),
            ctr_path=dict(type="path"),
            timeout=dict(type="int"),
        ),
        mutually_exclusive=[("plugins", option) for option in BRIDGE_OPTIONS],
        required_if=[("state", "attached", ["netns"]), ("state", "detached", ["netns"])],
        supports_check_mode=True,
    )
    fail_errors(module, params_errors(module.params))
    cni.require_pyroute2(module)
    runtime = cni.CniRuntime(module, module.params["bin_dir"], module.params["cache_dir"])
    try:
        result, differences = STATES[module.params["state"]](module, runtime)
    except cni.CniError as error:
        result = error.details()
        module.fail_json(msg=error.message, **result)
    except (OSError, IOError) as error:
        module.fail_json(msg="%s: %s" % (getattr(error, "filename", None) or "CNI", error.strerror or error))
    if module._diff:
        result["diff"] = differences.diff()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
