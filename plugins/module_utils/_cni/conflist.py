# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CNI network configuration as data: build conflists, load them from a conf dir, validate them.

Nothing here runs a plugin or touches the network: these are pure functions on dicts (plus reading
files of a conf dir and stat-ing plugin binaries), so they are unit-tested without root.
``cni.py`` (the runtime that calls plugins) builds on them.

A *conflist* is the dict of a ``.conflist`` file: ``{"cniVersion", "name", "plugins": [...]}``. A
single-plugin ``.conf``/``.json`` file is loaded as a conflist of one plugin, the way libcni does.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConflist

DEFAULT_CONF_DIR = "/etc/cni/net.d"
DEFAULT_BIN_DIR = "/opt/cni/bin"
DEFAULT_CNI_VERSION = "1.0.0"
DEFAULT_IPAM_DATA_DIR = "/var/lib/cni/networks"
DEFAULT_BRIDGE = "cni0"
CONF_EXTENSIONS = (".conflist", ".conf", ".json")
# versions whose result format (interfaces/ips/routes) this runtime reads
KNOWN_VERSIONS = ("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
IFNAMSIZ = 15

# libcni's rules for network names and container IDs (pkg/utils)
NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$")
# keys the runtime injects into each plugin's config; a configuration must not carry them itself
RUNTIME_KEYS = ("prevResult", "runtimeConfig")


def version_tuple(version):
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (0,)


def version_at_least(version, minimum):
    return version_tuple(version) >= version_tuple(minimum)


# ---- names ----------------------------------------------------------------------------------------

def name_error(value, what):
    """Why ``value`` is not a valid CNI network name / container ID, or None."""
    if not value:
        return "%s must not be empty" % what
    if not NAME.match(value):
        return ("%s %r is not valid for CNI: letters and digits first, then letters, digits, '_', '.' "
                "or '-'" % (what, value))
    return None


def ifname_error(value, what="interface name"):
    """Why ``value`` cannot be a Linux interface name (at most 15 characters, no '/', ':' or spaces)."""
    if not value:
        return "%s must not be empty" % what
    if len(value) > IFNAMSIZ:
        return "%s %r is %d characters long; Linux allows at most %d" % (what, value, len(value), IFNAMSIZ)
    if value in (".", "..") or re.search(r"[/:\s]", value):
        return "%s %r must not be '.' or '..' nor contain '/', ':' or whitespace" % (what, value)
    return None


# ---- building -------------------------------------------------------------------------------------

def _network(value, what):
    try:
        return ipaddress.ip_network(str(value), strict=True)
    except ValueError as error:
        raise InvalidConflist("%s %r is not a valid subnet: %s" % (what, value, error))


def _address(value, what):
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        raise InvalidConflist("%s %r is not a valid IP address" % (what, value))


def subnet_ranges(subnets, gateways=None):
    """host-local ``ranges`` (one range set per subnet) from the module's ``subnets``/``gateway`` options.

    A subnet is a string (``10.88.0.0/16``) or a dict with ``subnet`` and optional ``gateway``,
    ``range_start``, ``range_end``. Each of ``gateways`` goes to the subnet that contains it.
    """
    if not subnets:
        raise InvalidConflist("subnets must list at least one subnet (IPv4 and/or IPv6)")
    ranges = []
    parsed = []
    for item in subnets:
        spec = dict(item) if isinstance(item, dict) else {"subnet": item}
        unknown = sorted(set(spec) - {"subnet", "gateway", "range_start", "range_end"})
        if unknown:
            raise InvalidConflist("subnets: unknown key(s) %s; use subnet, gateway, range_start, range_end"
                                  % ", ".join(unknown))
        if not spec.get("subnet"):
            raise InvalidConflist("subnets: every entry needs a subnet")
        network = _network(spec["subnet"], "subnet")
        for other in parsed:
            if network.version == other.version and network.overlaps(other):
                raise InvalidConflist("subnets %s and %s overlap" % (other, network))
        parsed.append(network)
        entry = {"subnet": str(network)}
        for key, cni_key in (("range_start", "rangeStart"), ("range_end", "rangeEnd"), ("gateway", "gateway")):
            if spec.get(key):
                address = _address(spec[key], key)
                if address not in network:
                    raise InvalidConflist("%s %s is not in subnet %s" % (key, address, network))
                entry[cni_key] = str(address)
        ranges.append([entry])
    for gateway in gateways or []:
        address = _address(gateway, "gateway")
        for entry, network in zip(ranges, parsed):
            if address in network:
                if entry[0].get("gateway") not in (None, str(address)):
                    raise InvalidConflist("subnet %s has two gateways: %s and %s" % (network, entry[0]["gateway"], address))
                entry[0]["gateway"] = str(address)
                break
        else:
            raise InvalidConflist("gateway %s is not in any of the subnets %s"
                                  % (address, ", ".join(str(net) for net in parsed)))
    return ranges


def route_list(routes, families):
    """CNI routes from strings (``10.0.0.0/8``) or dicts (``dst``, ``gw``); None means default routes."""
    if routes is None:
        return [{"dst": "0.0.0.0/0" if family == 4 else "::/0"} for family in sorted(families)]
    out = []
    for item in routes:
        spec = dict(item) if isinstance(item, dict) else {"dst": item}
        unknown = sorted(set(spec) - {"dst", "gw"})
        if unknown or not spec.get("dst"):
            raise InvalidConflist("routes: every entry is a destination subnet or a dict with dst and optional gw, got %r"
                                  % (item,))
        route = {"dst": str(_network(spec["dst"], "route destination"))}
        if spec.get("gw"):
            route["gw"] = str(_address(spec["gw"], "route gateway"))
        out.append(route)
    return out


def build_bridge_conflist(name, cni_version=DEFAULT_CNI_VERSION, bridge=None, subnets=None, gateway=None,
                          is_gateway=True, ip_masq=True, hairpin_mode=False, promisc_mode=False, mtu=None,
                          routes=None, port_mappings=False, firewall=False, ipam_data_dir=None):
    """The conflist of a bridge network with host-local IPAM, plus portmap/firewall when asked.

    The bridge plugin declares the ``ips`` capability, so that static IPs can be asked for at attach time.
    """
    ranges = subnet_ranges(subnets, gateway)
    families = set(ipaddress.ip_network(entry[0]["subnet"]).version for entry in ranges)
    ipam = {"type": "host-local", "ranges": ranges}
    cni_routes = route_list(routes, families) if is_gateway or routes is not None else []
    if cni_routes:
        ipam["routes"] = cni_routes
    if ipam_data_dir:
        ipam["dataDir"] = ipam_data_dir
    plugin = {
        "type": "bridge",
        "bridge": bridge or DEFAULT_BRIDGE,
        "isGateway": bool(is_gateway),
        "ipMasq": bool(ip_masq),
        "hairpinMode": bool(hairpin_mode),
        "promiscMode": bool(promisc_mode),
    }
    if mtu is not None:
        if not 68 <= int(mtu) <= 65535:
            raise InvalidConflist("mtu %s is out of range (68-65535)" % mtu)
        plugin["mtu"] = int(mtu)
    plugin["capabilities"] = {"ips": True}
    plugin["ipam"] = ipam
    plugins = [plugin]
    if port_mappings:
        plugins.append({"type": "portmap", "capabilities": {"portMappings": True}})
    if firewall:
        plugins.append({"type": "firewall"})
    return {"cniVersion": cni_version, "name": name, "plugins": plugins}


def build_raw_conflist(name, cni_version, plugins):
    """The conflist for a raw ``plugins`` list (deep-copied through JSON, so it is plain data)."""
    return {"cniVersion": cni_version, "name": name, "plugins": json.loads(json.dumps(plugins))}


def serialise(conflist):
    """The bytes written to the conflist file (and cached by attachments)."""
    return (json.dumps(conflist, indent=2) + "\n").encode("utf-8")


# ---- reading --------------------------------------------------------------------------------------

def normalise(data, path="configuration"):
    """A conflist dict from a file's JSON: a conflist as is, a single-plugin conf wrapped in a list."""
    if not isinstance(data, dict):
        raise InvalidConflist("%s is not a JSON object" % path)
    if "plugins" in data:
        return data
    if "type" in data:
        plugin = dict((key, value) for key, value in data.items() if key not in ("name", "cniVersion"))
        return {"cniVersion": data.get("cniVersion", ""), "name": data.get("name", ""), "plugins": [plugin]}
    raise InvalidConflist("%s has neither 'plugins' (a conflist) nor 'type' (a single plugin)" % path)


def load_file(path):
    """The conflist in ``path``; InvalidConflist when it is not readable JSON of a CNI network."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (IOError, OSError) as error:
        raise InvalidConflist("cannot read %s: %s" % (path, error))
    except ValueError as error:
        raise InvalidConflist("%s is not valid JSON: %s" % (path, error))
    return normalise(data, path)


def conf_files(conf_dir):
    """Configuration files of ``conf_dir`` in libcni's order (sorted by name)."""
    try:
        names = sorted(os.listdir(conf_dir))
    except OSError:
        return []
    return [os.path.join(conf_dir, name) for name in names
            if name.endswith(CONF_EXTENSIONS) and os.path.isfile(os.path.join(conf_dir, name))]


def scan(conf_dir):
    """Every network of ``conf_dir``: list of {name, file, conflist}, in libcni's order; unreadable files skipped."""
    networks = []
    for path in conf_files(conf_dir):
        try:
            conflist = load_file(path)
        except InvalidConflist:
            continue
        if isinstance(conflist.get("name"), str) and conflist.get("name"):
            networks.append({"name": conflist["name"], "file": path, "conflist": conflist})
    return networks


def find(conf_dir, name):
    """(first, all): the network called ``name`` as libcni would pick it, and every file defining it."""
    matches = [network for network in scan(conf_dir) if network["name"] == name]
    return (matches[0] if matches else None), matches


# ---- validation -----------------------------------------------------------------------------------

def ipam_ranges(plugin):
    """(subnet, range dict) pairs of a plugin's IPAM (host-local ``ranges`` or legacy ``subnet``)."""
    ipam = plugin.get("ipam")
    if not isinstance(ipam, dict):
        return []
    pairs = []
    if "subnet" in ipam:
        pairs.append((ipam.get("subnet"), ipam))
    ranges = ipam.get("ranges")
    if isinstance(ranges, list):
        for range_set in ranges:
            if isinstance(range_set, list):
                for entry in range_set:
                    if isinstance(entry, dict):
                        pairs.append((entry.get("subnet"), entry))
    return pairs


def subnets(conflist):
    """Every IPAM subnet of a conflist as ip_network objects (unparseable ones skipped)."""
    out = []
    for plugin in conflist.get("plugins") or []:
        if isinstance(plugin, dict):
            for subnet, _entry in ipam_ranges(plugin):
                try:
                    out.append(ipaddress.ip_network(str(subnet), strict=False))
                except ValueError:
                    pass
    return out


def bridges(conflist):
    """Names of the Linux bridges a conflist's bridge plugins use."""
    return [plugin.get("bridge") or DEFAULT_BRIDGE for plugin in conflist.get("plugins") or []
            if isinstance(plugin, dict) and plugin.get("type") == "bridge"]


def ipam_data_dirs(conflist):
    """host-local data directories of a conflist: [(plugin type, dataDir)]."""
    out = []
    for plugin in conflist.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("ipam"), dict) and plugin["ipam"].get("type") == "host-local":
            out.append(plugin["ipam"].get("dataDir") or DEFAULT_IPAM_DATA_DIR)
    return out


def capabilities(conflist):
    """Capabilities any plugin of the conflist declares (``portMappings``, ``ips`` …)."""
    caps = set()
    for plugin in conflist.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("capabilities"), dict):
            caps.update(key for key, enabled in plugin["capabilities"].items() if enabled is True)
    return caps


def shape_errors(conflist):
    """Messages for a conflist CNI would reject or this runtime cannot use (checked before writing)."""
    errors = []
    if not isinstance(conflist, dict):
        return ["the network configuration must be a JSON object"]
    message = name_error(conflist.get("name"), "network name")
    if message:
        errors.append(message)
    version = conflist.get("cniVersion")
    if version not in KNOWN_VERSIONS:
        errors.append("cniVersion %r is not one of %s" % (version, ", ".join(KNOWN_VERSIONS)))
    if "disableCheck" in conflist and not isinstance(conflist["disableCheck"], bool):
        errors.append("disableCheck must be true or false")
    plugins = conflist.get("plugins")
    if not isinstance(plugins, list) or not plugins:
        return errors + ["plugins must be a non-empty list of plugin configurations"]
    for index, plugin in enumerate(plugins):
        where = "plugins[%d]" % index
        if not isinstance(plugin, dict):
            errors.append("%s must be a dict (a plugin configuration), got %r" % (where, plugin))
            continue
        kind = plugin.get("type")
        if not isinstance(kind, str) or not kind or "/" in kind or kind in (".", ".."):
            errors.append("%s needs a 'type': the plugin binary's name, got %r" % (where, kind))
        else:
            where = "plugins[%d] (%s)" % (index, kind)
        for field, nested in plugin_types(plugin)[1:]:
            message = plugin_name_error(nested, "%s %s" % (where, field))
            if message:
                errors.append(message)
        for key in RUNTIME_KEYS:
            if key in plugin:
                errors.append("%s must not set %r: the runtime injects it" % (where, key))
        caps = plugin.get("capabilities")
        if caps is not None and (not isinstance(caps, dict) or not all(isinstance(v, bool) for v in caps.values())):
            errors.append("%s capabilities must map capability names to true/false" % where)
        if kind == "bridge":
            message = ifname_error(plugin.get("bridge") or DEFAULT_BRIDGE, "%s bridge name" % where)
            if message:
                errors.append(message)
        if "ipam" in plugin and not isinstance(plugin["ipam"], dict):
            errors.append("%s ipam must be a dict" % where)
        errors += _ipam_errors(plugin, where)
    return errors


def _ipam_errors(plugin, where):
    errors = []
    for subnet, entry in ipam_ranges(plugin):
        try:
            network = ipaddress.ip_network(str(subnet), strict=True)
        except ValueError as error:
            errors.append("%s: %r is not a valid subnet: %s" % (where, subnet, error))
            continue
        for key in ("gateway", "rangeStart", "rangeEnd"):
            if entry.get(key) is None:
                continue
            try:
                address = ipaddress.ip_address(str(entry[key]))
            except ValueError:
                errors.append("%s: %s %r is not an IP address" % (where, key, entry[key]))
                continue
            if address not in network:
                errors.append("%s: %s %s is not in subnet %s" % (where, key, address, network))
    ranges = plugin.get("ipam", {}).get("ranges") if isinstance(plugin.get("ipam"), dict) else None
    if ranges is not None and not (isinstance(ranges, list) and all(isinstance(r, list) for r in ranges)):
        errors.append("%s: ipam.ranges must be a list of range sets (lists of {subnet, ...})" % where)
    return errors


def overlap_errors(conflist, others):
    """Messages for subnets or bridges that ``conflist`` shares with other networks (list of {name, file, conflist})."""
    errors = []
    mine = subnets(conflist)
    my_bridges = set(bridges(conflist))
    for other in others:
        if other["name"] == conflist.get("name"):
            continue
        for theirs in subnets(other["conflist"]):
            for subnet in mine:
                if subnet.version == theirs.version and subnet.overlaps(theirs):
                    errors.append("subnet %s overlaps %s of network %s (%s)" % (subnet, theirs, other["name"], other["file"]))
        for bridge in sorted(my_bridges & set(bridges(other["conflist"]))):
            errors.append("bridge %s is already used by network %s (%s); give each network its own bridge"
                          % (bridge, other["name"], other["file"]))
    return errors


def plugin_name_error(kind, what):
    """Why ``kind`` cannot name a plugin binary (libcni's FindInPath takes a bare file name), or None."""
    if not isinstance(kind, str) or not kind:
        return "%s must be the plugin binary's name, got %r" % (what, kind)
    if "/" in kind or "\\" in kind or "\0" in kind or kind in (".", "..") or ".." in kind.split("/"):
        return "%s %r must be a bare file name (no path separators, not '.' or '..')" % (what, kind)
    return None


def plugin_types(plugin):
    """(where, type) of each plugin binary a plugin configuration makes the runtime look up: its own type,
    its IPAM plugin's and a delegate's (the plugins that chain to another one name it under ``delegate``)."""
    kinds = [("type", plugin.get("type"))]
    for key in ("ipam", "delegate"):
        if isinstance(plugin.get(key), dict) and "type" in plugin[key]:
            kinds.append(("%s.type" % key, plugin[key]["type"]))
    return kinds


def find_plugin(kind, bin_dirs):
    """Path of the plugin binary ``kind`` in the first of ``bin_dirs`` that has it, or None (always None for
    a name that is not a bare file name)."""
    if plugin_name_error(kind, "type"):
        return None
    for directory in bin_dirs or []:
        path = os.path.join(directory, kind)
        if os.path.isfile(path):
            return path
    return None


def binary_errors(conflist, bin_dirs):
    """Messages for plugin binaries missing from ``bin_dirs`` or not executable (IPAM plugins included)."""
    errors = []
    seen = set()
    kinds = []
    for plugin in conflist.get("plugins") or []:
        if isinstance(plugin, dict):
            kinds.extend(kind for _field, kind in plugin_types(plugin) if kind)
    for kind in kinds:
        if not isinstance(kind, str) or not kind or kind in seen:
            continue
        seen.add(kind)
        path = find_plugin(kind, bin_dirs)
        if path is None:
            errors.append("CNI plugin %r is not in %s: install the CNI plugins there or set bin_dir"
                          % (kind, ", ".join(bin_dirs or [])))
        elif not os.access(path, os.X_OK):
            errors.append("CNI plugin %s is not executable" % path)
    return errors


# ---- attachment arguments -------------------------------------------------------------------------

_PORT = re.compile(r"^(?:(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<ip>[0-9.]+)):)?(?P<host>\d+):(?P<container>\d+)"
                   r"(?:/(?P<proto>tcp|udp|sctp))?$")


def _port_number(value, what, spec):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidConflist("port %r: %s %r is not a number" % (spec, what, value))
    if not 1 <= number <= 65535:
        raise InvalidConflist("port %r: %s %s is out of range (1-65535)" % (spec, what, number))
    return number


def parse_ports(ports):
    """portmap's ``portMappings`` from ``"8080:80"``, ``"127.0.0.1:8080:80/tcp"``, ``"[::1]:8080:80"`` or dicts.

    A dict has ``host_port``, ``container_port`` and optional ``protocol`` (tcp, udp, sctp) and ``host_ip``.
    """
    mappings = []
    for spec in ports or []:
        if isinstance(spec, dict):
            unknown = sorted(set(spec) - {"host_port", "container_port", "protocol", "host_ip"})
            if unknown:
                raise InvalidConflist("port %r: unknown key(s) %s" % (spec, ", ".join(unknown)))
            host_ip = spec.get("host_ip")
            protocol = spec.get("protocol") or "tcp"
            host, container = spec.get("host_port"), spec.get("container_port")
        else:
            match = _PORT.match(str(spec).strip())
            if not match:
                raise InvalidConflist("port %r is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp|sctp]" % (spec,))
            host_ip = match.group("ip6") or match.group("ip")
            protocol = match.group("proto") or "tcp"
            host, container = match.group("host"), match.group("container")
        if protocol not in ("tcp", "udp", "sctp"):
            raise InvalidConflist("port %r: protocol must be tcp, udp or sctp" % (spec,))
        mapping = {"hostPort": _port_number(host, "host port", spec),
                   "containerPort": _port_number(container, "container port", spec), "protocol": protocol}
        if host_ip:
            mapping["hostIP"] = str(_address(host_ip, "host IP"))
        mappings.append(mapping)
    keys = [(m["hostPort"], m["protocol"], m.get("hostIP")) for m in mappings]
    for key in set(keys):
        if keys.count(key) > 1:
            raise InvalidConflist("host port %s/%s is published twice" % (key[0], key[1]))
    return mappings


def static_ip_errors(conflist, ips):
    """Messages for static IPs the network cannot give: not an address, outside every subnet, no ``ips`` capability."""
    errors = []
    networks = subnets(conflist)
    families = set()
    for value in ips or []:
        try:
            address = ipaddress.ip_address(str(value).split("/", maxsplit=1)[0])
        except ValueError:
            errors.append("static IP %r is not an IP address" % (value,))
            continue
        if address.version in families:
            errors.append("static IP %s: at most one address per IP family" % address)
        families.add(address.version)
        if not any(address in network for network in networks):
            errors.append("static IP %s is not in any subnet of network %s (%s)" % (
                address, conflist.get("name"), ", ".join(str(n) for n in networks) or "no subnets"))
    if ips and "ips" not in capabilities(conflist):
        errors.append("network %s declares no 'ips' capability, so it cannot take static IPs: add "
                      "\"capabilities\": {\"ips\": true} to the plugin whose IPAM assigns addresses" % conflist.get("name"))
    return errors
