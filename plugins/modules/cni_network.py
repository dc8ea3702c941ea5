#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

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
    plugged into it) and its host-local IPAM state directory (only the files host-local writes there, the leases named as
    their address, C(lock), C(last_reserved_ip.<n>); a directory holding anything else is kept, with a warning).
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
  - containerd.runtime.connection.converging
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._cni import converge
from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._cni import runtime as cni
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=list(converge.STATES)),
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
        mutually_exclusive=[("plugins", option) for option in converge.BRIDGE_OPTIONS],
        required_if=[("state", "attached", ["netns"]), ("state", "detached", ["netns"])],
        supports_check_mode=True,
    )
    try:
        converge.check_params(module.params)
        cni.require_pyroute2(module)
        runtime = cni.CniRuntime(module, module.params["bin_dir"], module.params["cache_dir"])
        outcome = converge.converge(module.params, runtime, RunContext(module.check_mode, module._diff))
    except CollectionError as error:
        module.fail_json(msg=error.message, **error.details())
    except (OSError, IOError) as error:
        module.fail_json(msg="%s: %s" % (getattr(error, "filename", None) or "CNI", error.strerror or error))
    for warning in outcome.warnings:
        module.warn(warning)
    module.exit_json(**outcome.result(diff=module._diff))


if __name__ == "__main__":
    main()
