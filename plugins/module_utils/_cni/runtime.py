# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one CNI runtime of the collection: network namespaces, plugin calls, the result cache.

Every module that puts something on a CNI network goes through ``CniRuntime``; nothing else runs a
CNI plugin or creates a network namespace.

What it does, following the CNI specification and libcni:

* Named network namespaces (``/var/run/netns/<name>``, the ones ``ip netns`` shows) are created and
  removed with pyroute2: ``ensure_netns``, ``remove_netns``. A new namespace gets its loopback up.
* ``attach`` runs ``ADD`` on every plugin of a conflist in order, each plugin's config on stdin with the
  list's ``name`` and ``cniVersion``, the previous plugin's result as ``prevResult`` and, filtered by the
  plugin's ``capabilities``, ``runtimeConfig`` (``portMappings`` for portmap, ``ips`` for static IPs).
  The environment is ``CNI_COMMAND``, ``CNI_CONTAINERID``, ``CNI_NETNS``, ``CNI_IFNAME``, ``CNI_PATH`` and
  (when given) ``CNI_ARGS``. Plugins run via the runner's ``run_command`` (argv, stdin, environ_update; no shell).
* The final result is cached the way libcni does (``<cache_dir>/results/<network>-<container id>-<ifname>``,
  kind ``cniCacheV1``, with the conflist, the netns and the capability args), so that ``CHECK`` and ``DEL``
  get the right ``prevResult`` and ``DEL`` uses the configuration the attachment was made with, even when
  the network's file has changed or is gone since.
* When a plugin fails during ``attach``, every plugin of the list is called with ``DEL`` (in reverse order,
  with the last result as ``prevResult``), so no veth, IP lease or iptables rule is left behind; the
  error says what failed and whether the cleanup did too. Callers that created the netns remove it
  (``attach_netns`` does that for named namespaces).
* ``check`` runs ``CHECK`` (CNI >= 0.4.0) with the cached result; ``detach`` runs ``DEL`` in reverse order
  with the cached result and configuration, then drops the cache entry.
* Facts are read with pyroute2: ``link_facts``, ``bridge_facts``, ``host_veth``.

pyroute2 is needed on the managed host only for the namespace and facts functions; ``HAS_PYROUTE2``
and ``require_pyroute2`` let modules fail with ``missing_required_lib`` instead of a traceback.
"""

from __future__ import annotations

import base64
import copy
import errno
import ipaddress
import json
import os
import re
import importlib.util

from ansible_collections.containerd.runtime.plugins.module_utils._cni import conflist as cni_config
from ansible_collections.containerd.runtime.plugins.module_utils._common.files import write_atomically
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CniCheckFailed,
    CniError,
    InvalidConflist,
)

# pyroute2 is imported on first use, not with this file: its import costs about 0.4 s, and every module that
# handles containers imports this file, also for the containers on no network.
HAS_PYROUTE2 = importlib.util.find_spec("pyroute2") is not None
PYROUTE2_IMPORT_ERROR = None if HAS_PYROUTE2 else "ImportError: No module named 'pyroute2'"


def _ip_route():
    """A pyroute2 IPRoute (rtnetlink of this network namespace)."""
    from pyroute2 import IPRoute
    return IPRoute()


def _in_netns(path, flags=0):
    """A pyroute2 NetNS: rtnetlink inside the network namespace at ``path``."""
    from pyroute2 import NetNS
    return NetNS(path, flags=flags)


def _pyroute2_netns():
    from pyroute2 import netns
    return netns


DEFAULT_CACHE_DIR = "/var/lib/cni"
NETNS_RUN_DIR = "/var/run/netns"
CACHE_KIND = "cniCacheV1"


def require_pyroute2(module):
    """Fail the module cleanly when pyroute2 is missing on the managed host."""
    if not HAS_PYROUTE2:
        from ansible.module_utils.basic import missing_required_lib
        module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)


def find_network(conf_dir, name):
    """The definition of network ``name`` in ``conf_dir`` (the file libcni would pick): a dict with ``name``,
    ``file`` and ``conflist``, its conflist checked for shape (CniError naming the file); None when there is none."""
    current = cni_config.find(conf_dir, name)[0]
    if current is not None:
        errors = cni_config.shape_errors(current["conflist"])
        if errors:
            raise CniError("%s: %s" % (current["file"], "; ".join(errors)))
    return current


def load_network(conf_dir, name):
    """The conflist of network ``name`` in ``conf_dir`` (see ``find_network``); CniError when it is not there."""
    current = find_network(conf_dir, name)
    if current is None:
        raise CniError("CNI network %s is not defined in %s: create it with containerd.runtime.cni_network "
                       "or check the configuration directory" % (name, conf_dir))
    return current["conflist"]


# ---- network namespaces ---------------------------------------------------------------------------

def netns_path(name):
    """Path of the named netns ``name`` (``/var/run/netns/<name>``); absolute paths are returned as they are."""
    return name if name.startswith("/") else os.path.join(NETNS_RUN_DIR, name)


def netns_exists(name_or_path):
    """Whether the netns is there and really a namespace (a bind mount of nsfs, not a leftover file)."""
    path = netns_path(name_or_path)
    try:
        return os.stat(path).st_dev != os.stat(os.path.dirname(path)).st_dev
    except OSError:
        return False


def ensure_netns(name):
    """Create the named netns ``name`` with its loopback up unless it exists; return (path, created)."""
    path = netns_path(name)
    if netns_exists(name):
        return path, False
    try:
        if os.path.exists(path):
            os.unlink(path)  # an empty mount point left by a crash or a reboot
        _pyroute2_netns().create(name)
        with _in_netns(path, flags=0) as ns:
            for index in ns.link_lookup(ifname="lo"):
                ns.link("set", index=index, state="up")
    except (OSError, IOError) as error:
        raise CniError("cannot create network namespace %s: %s" % (name, error))
    return path, True


def remove_netns(name):
    """Remove the named netns ``name``; return whether there was one."""
    path = netns_path(name)
    if not os.path.exists(path):
        return False
    try:
        _pyroute2_netns().remove(name)
    except (OSError, IOError) as error:
        if error.errno != errno.ENOENT:
            raise CniError("cannot remove network namespace %s: %s" % (name, error))
    return True


# ---- facts read with pyroute2 ---------------------------------------------------------------------

def _addresses(ipr, index):
    out = []
    for message in ipr.get_addr(index=index):
        address = message.get_attr("IFA_ADDRESS")
        if address:
            out.append("%s/%s" % (address, message["prefixlen"]))
    return out


def _link(ipr, name=None, index=None):
    if index is None:
        found = ipr.link_lookup(ifname=name)
        if not found:
            return None
        index = found[0]
    try:
        links = ipr.get_links(index)
    except Exception:  # pylint: disable=broad-except  # NetlinkError: no such device
        return None
    if not links:
        return None
    link = links[0]
    facts = {
        "name": link.get_attr("IFLA_IFNAME"),
        "index": link["index"],
        "kind": link.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND"),
        "mac": link.get_attr("IFLA_ADDRESS"),
        "mtu": link.get_attr("IFLA_MTU"),
        "state": link.get_attr("IFLA_OPERSTATE"),
        "master": None,
        "peer_index": link.get_attr("IFLA_LINK"),
        "addresses": _addresses(ipr, index),
    }
    master = link.get_attr("IFLA_MASTER")
    if master:
        masters = ipr.get_links(master)
        facts["master"] = masters[0].get_attr("IFLA_IFNAME") if masters else None
    return facts


def link_facts(name=None, index=None, netns=None):
    """An interface of the host (or of ``netns``, a name or path): name, index, kind, mac, mtu, state,
    master, peer_index, addresses; None when it does not exist."""
    if not HAS_PYROUTE2:
        return None
    if netns is not None:
        if not netns_exists(netns):
            return None
        with _in_netns(netns_path(netns), flags=0) as ns:
            return _link(ns, name, index)
    with _ip_route() as ipr:
        return _link(ipr, name, index)


def bridge_facts(name):
    """The bridge ``name`` with its addresses and member interfaces, or None when it does not exist."""
    if not HAS_PYROUTE2:
        return None
    with _ip_route() as ipr:
        facts = _link(ipr, name)
        if facts is None:
            return None
        facts["members"] = sorted(link.get_attr("IFLA_IFNAME") for link in ipr.get_links()
                                  if link.get_attr("IFLA_MASTER") == facts["index"])
    return facts


def delete_link(name):
    """Delete the host interface ``name``; return whether it existed."""
    with _ip_route() as ipr:
        found = ipr.link_lookup(ifname=name)
        if not found:
            return False
        ipr.link("del", index=found[0])
    return True


def host_veth(attachment, bridges=()):
    """Facts of the host side of an attachment's veth: from the result's host interfaces, else through
    the container interface's peer index. None when it cannot be found."""
    for interface in attachment.get("host_interfaces") or []:
        if interface not in bridges:
            facts = link_facts(interface)
            if facts is not None:
                return facts
    inside = link_facts(attachment["ifname"], netns=attachment.get("netns")) if attachment.get("netns") else None
    if inside and inside.get("peer_index"):
        facts = link_facts(index=inside["peer_index"])
        if facts is not None and facts.get("kind") == "veth":
            return facts
    return None


# ---- results --------------------------------------------------------------------------------------

def summarize(network, container_id, ifname, netns, result, capability_args=None):
    """The attachment as modules return it, from a CNI result (any version >= 0.3.0).

    Keys: network, container_id, ifname, netns, mac (of the container interface), ips (``addr/prefix``
    strings), addresses (address, gateway, family per IP), host_interfaces (names of result interfaces
    outside the sandbox: the bridge and the host veth), routes, dns, ports (portmap mappings asked for),
    result (the raw CNI result).
    """
    result = result or {}
    interfaces = result.get("interfaces") or []
    index = None
    for position, interface in enumerate(interfaces):
        if interface.get("name") == ifname and interface.get("sandbox"):
            index = position
    addresses = []
    for entry in result.get("ips") or []:
        if index is not None and entry.get("interface") not in (None, index):
            continue
        try:
            family = ipaddress.ip_interface(entry.get("address")).version
        except ValueError:
            family = None
        addresses.append({"address": entry.get("address"), "gateway": entry.get("gateway"), "family": family})
    capability_args = capability_args or {}
    return {
        "network": network,
        "container_id": container_id,
        "ifname": ifname,
        "netns": netns,
        "mac": interfaces[index].get("mac") if index is not None else None,
        "ips": [entry["address"] for entry in addresses],
        "addresses": addresses,
        "host_interfaces": [i.get("name") for i in interfaces if not i.get("sandbox") and i.get("name")],
        "routes": result.get("routes") or [],
        "dns": result.get("dns") or {},
        "ports": capability_args.get("portMappings") or [],
        "static_ips": capability_args.get("ips") or [],
        "result": result,
    }


def capability_args(static_ips=None, port_mappings=None):
    """libcni CapabilityArgs for static IPs (``ips``) and portmap's ``portMappings`` (already parsed)."""
    caps = {}
    if port_mappings:
        caps["portMappings"] = list(port_mappings)
    if static_ips:
        caps["ips"] = [str(ip) for ip in static_ips]
    return caps


class CniRuntime(object):
    """Runs CNI plugins. ``runner``: what runs a plugin, anything with AnsibleModule's ``run_command(argv,
    data=, environ_update=, check_rc=)`` (the module, or a stub in unit tests); ``bin_dirs``: where plugins
    are (CNI_PATH); ``cache_dir``: libcni's cache directory (results go to ``<cache_dir>/results``)."""

    def __init__(self, runner, bin_dirs, cache_dir=DEFAULT_CACHE_DIR):
        self.runner = runner
        self.bin_dirs = list(bin_dirs or [cni_config.DEFAULT_BIN_DIR])
        self.cache_dir = cache_dir or DEFAULT_CACHE_DIR
        for what, value in [("bin_dir", directory) for directory in self.bin_dirs] + [("cache_dir", self.cache_dir)]:
            message = directory_error(value, what)
            if message:
                raise CniError(message)
        self.commands = []

    # ---- running plugins --------------------------------------------------------------------------

    def _exec(self, command, network, plugin, container_id="", netns="", ifname="", cni_args=None):
        kind = plugin.get("type")
        path = cni_config.find_plugin(kind, self.bin_dirs)
        if path is None:
            raise CniError("CNI plugin %r is not in %s: install the CNI plugins there or set bin_dir"
                           % (kind, ", ".join(self.bin_dirs)))
        env = {"CNI_COMMAND": command, "CNI_PATH": os.pathsep.join(self.bin_dirs)}
        if command != "VERSION":
            env.update({"CNI_CONTAINERID": container_id, "CNI_NETNS": netns or "", "CNI_IFNAME": ifname})
            if cni_args:
                env["CNI_ARGS"] = ";".join("%s=%s" % (key, value) for key, value in cni_args)
        # VERSION needs no input, and plugins answer it without reading stdin: writing to a plugin that has
        # already exited fails with EPIPE ("Error executing command."), so nothing is sent then.
        data = None if command == "VERSION" else json.dumps(plugin, sort_keys=True)
        self.commands.append({"command": command, "plugin": path, "network": network, "container_id": container_id,
                              "ifname": ifname})
        rc, stdout, stderr = self.runner.run_command([path], data=data, environ_update=env, check_rc=False)
        if rc != 0:
            raise CniError(
                "CNI plugin %s failed (%s, network %s%s): %s" % (
                    kind, command, network, ", container %s" % container_id if container_id else "",
                    plugin_message(stdout, stderr)),
                argv=[path], rc=rc, stderr=stderr,
                extra={"cni_command": command, "cni_output": stdout})
        if command in ("ADD", "VERSION"):
            try:
                parsed = json.loads(stdout or "null")
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise CniError("CNI plugin %s (%s, network %s) printed no JSON result: %r"
                               % (kind, command, network, (stdout or "")[:500]), argv=[path], rc=rc, stderr=stderr)
            return parsed
        return None

    @staticmethod
    def _plugin_conf(conflist, plugin, prev_result, caps):
        """One plugin's stdin: its config with the list's name/cniVersion, prevResult and runtimeConfig."""
        conf = copy.deepcopy(plugin)
        conf["name"] = conflist["name"]
        conf["cniVersion"] = conflist["cniVersion"]
        if prev_result is not None:
            conf["prevResult"] = prev_result
        runtime = dict((key, caps[key]) for key, enabled in (plugin.get("capabilities") or {}).items()
                       if enabled is True and key in caps)
        if runtime:
            conf["runtimeConfig"] = runtime
        return conf

    def supported_versions(self, kind):
        """CNI versions the plugin binary ``kind`` supports (its VERSION command)."""
        info = self._exec("VERSION", "-", {"type": kind, "cniVersion": cni_config.DEFAULT_CNI_VERSION})
        return info.get("supportedVersions") or []

    def version_errors(self, conflist):
        """Messages for plugins of the conflist that do not support its cniVersion (libcni's validation)."""
        errors = []
        version = conflist.get("cniVersion")
        for kind in sorted(set(p.get("type") for p in conflist.get("plugins") or [] if isinstance(p, dict))):
            try:
                versions = self.supported_versions(kind)
            except CniError as error:
                errors.append(error.message)
                continue
            if version not in versions:
                errors.append("CNI plugin %s does not support cniVersion %s (it supports %s)"
                              % (kind, version, ", ".join(versions)))
        return errors

    # ---- the result cache -------------------------------------------------------------------------

    def cache_path(self, network, container_id, ifname):
        return os.path.join(self.cache_dir, "results", "%s-%s-%s" % (network, container_id, ifname))

    def _cache_write(self, conflist, container_id, netns, ifname, cni_args, caps, result):
        entry = {
            "kind": CACHE_KIND,
            "containerId": container_id,
            "config": base64.b64encode(cni_config.serialise(conflist)).decode("ascii"),
            "ifName": ifname,
            "networkName": conflist["name"],
            "netns": netns,
            "result": result,
        }
        if cni_args:
            entry["cniArgs"] = [list(pair) for pair in cni_args]
        if caps:
            entry["capabilityArgs"] = caps
        path = self.cache_path(conflist["name"], container_id, ifname)
        try:
            write_atomically(path, json.dumps(entry), mode=0o600, dir_mode=0o700)
        except (OSError, IOError) as error:
            raise CniError("cannot write the CNI result cache %s: %s" % (path, error))

    def _cache_remove(self, network, container_id, ifname):
        try:
            os.unlink(self.cache_path(network, container_id, ifname))
        except OSError:
            pass

    def cached(self, network, container_id, ifname):
        """The cache entry of an attachment, decoded: a dict with container_id, ifname, network, netns,
        conflist (the configuration it was made with), cni_args, capability_args, result; or None."""
        return _decode_entry(self.cache_path(network, container_id, ifname))

    def cached_attachments(self, network=None, container_id=None):
        """Every cached attachment (of ``network`` and/or ``container_id`` when given), as summaries."""
        directory = os.path.join(self.cache_dir, "results")
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return []
        out = []
        for name in names:
            entry = _decode_entry(os.path.join(directory, name))
            if entry is None or (network and entry["network"] != network):
                continue
            if container_id and entry["container_id"] != container_id:
                continue
            out.append(summary_of(entry))
        return out

    # ---- ADD / CHECK / DEL ------------------------------------------------------------------------

    def attach(self, network_conflist, netns_path, container_id, ifname="eth0", static_ip=None,
               port_mappings=None, cni_args=None):
        """ADD the netns to the network; return the attachment summary (see ``summarize``).

        ``static_ip``: an address or a list (one per family) passed as ``runtimeConfig.ips``;
        ``port_mappings``: portmap mappings (``cni_config.parse_ports`` output) as ``runtimeConfig.portMappings``;
        ``cni_args``: extra ``CNI_ARGS`` pairs. On failure everything already added is deleted again.
        """
        conflist = network_conflist
        static_ips = [static_ip] if isinstance(static_ip, str) else list(static_ip or [])
        caps = capability_args(static_ips, port_mappings)
        call = dict(container_id=container_id, netns=netns_path, ifname=ifname, cni_args=cni_args)
        result = None
        try:
            for plugin in conflist["plugins"]:
                result = self._exec("ADD", conflist["name"], self._plugin_conf(conflist, plugin, result, caps), **call)
            self._cache_write(conflist, container_id, netns_path, ifname, cni_args, caps, result)
        except CniError as error:
            problems = self._delete_all(conflist, result, caps, call)
            error.message += ("; cleanup after the failure also failed: %s" % "; ".join(problems) if problems
                              else "; everything already added was deleted again (CNI DEL)")
            error.args = (error.message,)
            raise
        return summarize(conflist["name"], container_id, ifname, netns_path, result, caps)

    def _delete_all(self, conflist, prev_result, caps, call):
        """DEL every plugin in reverse order; return the error messages (empty when all went well)."""
        problems = []
        for plugin in reversed(conflist["plugins"]):
            try:
                self._exec("DEL", conflist["name"], self._plugin_conf(conflist, plugin, prev_result, caps), **call)
            except CniError as error:
                problems.append(error.message)
        return problems

    def check(self, network_conflist, netns_path, container_id, ifname="eth0"):
        """CHECK an attachment with its cached result; return its summary, raise CniCheckFailed when unhealthy.

        Unhealthy: no cache entry, the netns is gone, the network's configuration (or the static IPs /
        port mappings it was attached with) differ from the cache, or a plugin's CHECK fails. For
        cniVersion < 0.4.0 (no CHECK) the interface must exist in the netns.
        """
        conflist = network_conflist
        entry = self.cached(conflist["name"], container_id, ifname)
        if entry is None:
            raise CniCheckFailed("%s is not attached to network %s (no cached result)" % (container_id, conflist["name"]))
        if not netns_exists(netns_path):
            raise CniCheckFailed("the network namespace %s of %s is gone" % (netns_path, container_id))
        if entry["netns"] and entry["netns"] != netns_path:
            raise CniCheckFailed("%s was attached in netns %s, not %s" % (container_id, entry["netns"], netns_path))
        if entry["conflist"] != conflist:
            raise CniCheckFailed("the configuration of network %s changed since %s was attached"
                                 % (conflist["name"], container_id))
        call = dict(container_id=container_id, netns=netns_path, ifname=ifname, cni_args=entry["cni_args"])
        if cni_config.version_at_least(conflist["cniVersion"], "0.4.0"):
            if not conflist.get("disableCheck"):
                for plugin in conflist["plugins"]:
                    conf = self._plugin_conf(conflist, plugin, entry["result"], entry["capability_args"])
                    try:
                        self._exec("CHECK", conflist["name"], conf, **call)
                    except CniError as error:
                        if not known_false_check_failure(plugin, error, entry["result"]):
                            raise CniCheckFailed(error.message, argv=error.argv, rc=error.rc, stderr=error.stderr)
        elif HAS_PYROUTE2 and link_facts(ifname, netns=netns_path) is None:
            raise CniCheckFailed("interface %s of %s is gone from %s" % (ifname, container_id, netns_path))
        return summary_of(entry)

    def detach(self, network_conflist, netns_path, container_id, ifname="eth0"):
        """DEL an attachment; return the summary of what was detached (None when nothing was cached).

        The cached configuration, capability args and netns are used when there is a cache entry (libcni's
        GetNetworkListCachedConfig), so a network whose file changed or was removed still detaches cleanly;
        ``network_conflist`` is used otherwise (it may be None then nothing is done). The cache entry
        is removed only when every plugin's DEL succeeded.
        """
        name = network_conflist["name"] if network_conflist else None
        entry = self.cached(name, container_id, ifname) if name else None
        conflist = entry["conflist"] if entry and entry["conflist"] else network_conflist
        if conflist is None:
            return None
        prev = None
        if entry is not None and cni_config.version_at_least(conflist["cniVersion"], "0.4.0"):
            prev = entry["result"]
        caps = entry["capability_args"] if entry else {}
        netns = netns_path or (entry["netns"] if entry else "")
        call = dict(container_id=container_id, netns=netns, ifname=ifname, cni_args=entry["cni_args"] if entry else None)
        problems = self._delete_all(conflist, prev, caps, call)
        if problems:
            raise CniError("detaching %s from network %s failed: %s" % (container_id, conflist["name"], "; ".join(problems)))
        self._cache_remove(conflist["name"], container_id, ifname)
        return summary_of(entry) if entry else None

    # ---- converging (what modules call) -----------------------------------------------------------

    def ensure_attached(self, network_conflist, netns_path, container_id, ifname="eth0", static_ip=None,
                        port_mappings=None, check_mode=False):
        """Make the attachment exist and be healthy; return (changed, attachment, actions).

        Healthy and unchanged (CHECK passes, same configuration, static IPs and port mappings): nothing is done.
        Cached but unhealthy or different: DEL with the cached configuration, then ADD. Not cached: ADD.
        In check mode nothing runs but CHECK; the attachment returned is then the cached one or a prediction.
        """
        conflist = network_conflist
        static_ips = [static_ip] if isinstance(static_ip, str) else list(static_ip or [])
        caps = capability_args(static_ips, port_mappings)
        entry = self.cached(conflist["name"], container_id, ifname)
        what = "%s (%s) to network %s" % (container_id, ifname, conflist["name"])
        if entry is not None:
            reason = None
            if entry["capability_args"] != caps:
                reason = "its static IPs or port mappings changed"
            else:
                try:
                    current = self.check(conflist, netns_path, container_id, ifname)
                    return False, current, []
                except CniCheckFailed as error:
                    reason = error.message
            actions = ["re-attached %s: %s" % (what, reason)]
            if check_mode:
                return True, _prediction(conflist, container_id, ifname, netns_path, caps), actions
            self.detach(conflist, entry["netns"] or netns_path, container_id, ifname)
            return True, self.attach(conflist, netns_path, container_id, ifname, static_ips, port_mappings), actions
        actions = ["attached %s" % what]
        if check_mode:
            return True, _prediction(conflist, container_id, ifname, netns_path, caps), actions
        return True, self.attach(conflist, netns_path, container_id, ifname, static_ips, port_mappings), actions

    def ensure_detached(self, network_conflist, netns_path, container_id, ifname="eth0", check_mode=False):
        """Make sure the attachment is gone; return (changed, detached attachment or None, actions).

        Detaches a cached attachment, or, without a cache entry, releases a host-local IPAM lease still
        held by ``container_id``/``ifname`` in this network (DEL with the current configuration).
        """
        name = network_conflist["name"]
        entry = self.cached(name, container_id, ifname)
        leases = [lease for lease in ipam_leases(network_conflist)
                  if lease["container_id"] == container_id and lease["ifname"] == ifname]
        if entry is None and not leases:
            return False, None, []
        what = "%s (%s) from network %s" % (container_id, ifname, name)
        actions = ["detached %s" % what if entry else "released the IPAM lease of %s" % what]
        before = summary_of(entry) if entry else None
        if not check_mode:
            self.detach(network_conflist, netns_path, container_id, ifname)
        return True, before, actions

    def attach_netns(self, network_conflist, netns_name, container_id=None, ifname="eth0", static_ip=None,
                     port_mappings=None, check_mode=False):
        """``ensure_attached`` for a named netns that is created when missing (and removed again when the
        attach fails and it was created here); return (changed, attachment, actions)."""
        container_id = container_id or netns_name
        path = netns_path(netns_name)
        actions = []
        created = False
        if not netns_exists(netns_name):
            actions.append("created network namespace %s" % netns_name)
            if check_mode:
                caps = capability_args([static_ip] if isinstance(static_ip, str) else static_ip, port_mappings)
                return True, _prediction(network_conflist, container_id, ifname, path, caps), actions + [
                    "attached %s (%s) to network %s" % (container_id, ifname, network_conflist["name"])]
            ensure_netns(netns_name)
            created = True
        try:
            changed, attachment, more = self.ensure_attached(network_conflist, path, container_id, ifname, static_ip,
                                                             port_mappings, check_mode)
        except CniError:
            if created:
                remove_netns(netns_name)
            raise
        return changed or created, attachment, actions + more


def known_false_check_failure(plugin, error, result):
    """Whether a CHECK failure is a known plugin bug rather than a broken attachment.

    portmap up to 1.2 (containernetworking/plugins#819) checks ip6tables rules for an IPv4-only attachment
    and fails with "could not check ipv6 dnat" after its IPv4 rules passed the check.
    """
    if plugin.get("type") != "portmap" or "could not check ipv6 dnat" not in (error.message or ""):
        return False
    for entry in (result or {}).get("ips") or []:
        if ":" in str(entry.get("address")):
            return False
    return True


def _prediction(conflist, container_id, ifname, netns, caps):
    attachment = summarize(conflist["name"], container_id, ifname, netns, None, caps)
    attachment["ips"] = list(caps.get("ips") or [])
    return attachment


def directory_error(value, what):
    """Why ``value`` (a CNI bin or cache directory, given or read back from a container label) is unusable."""
    if not isinstance(value, str) or not os.path.isabs(value) or "\0" in value or ".." in value.split("/"):
        return "CNI %s must be an absolute path without '..', got %r" % (what, value)
    return None


def _decode_entry(path):
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (IOError, OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kind") != CACHE_KIND:
        return None
    conflist = None
    try:
        conflist = cni_config.normalise(json.loads(base64.b64decode(data.get("config") or "").decode("utf-8")))
    except (ValueError, TypeError, InvalidConflist):
        conflist = None
    if conflist is not None and cni_config.shape_errors(conflist):
        conflist = None  # a cached configuration is trusted no more than a new one
    return {
        "network": data.get("networkName"),
        "container_id": data.get("containerId"),
        "ifname": data.get("ifName"),
        "netns": data.get("netns") or "",
        "conflist": conflist,
        "cni_args": [tuple(pair) for pair in data.get("cniArgs") or []],
        "capability_args": data.get("capabilityArgs") or {},
        "result": data.get("result"),
    }


def summary_of(entry):
    return summarize(entry["network"], entry["container_id"], entry["ifname"], entry["netns"], entry["result"],
                     entry["capability_args"])


def plugin_message(stdout, stderr):
    """The error a plugin reported: its JSON error (msg, details, code) on stdout, else its stderr."""
    try:
        data = json.loads(stdout or "")
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("msg"):
        message = data["msg"]
        if data.get("details"):
            message += ": %s" % data["details"]
        if data.get("code") is not None:
            message += " (CNI error code %s)" % data["code"]
        return message
    lines = [line for line in (stderr or stdout or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


LAST_RESERVED_RE = re.compile(r"^last_reserved_ip\.\d+$")


def is_lease_file(name):
    """Whether a file name in ``<dataDir>/<network>`` is host-local IPAM state: a lease (named as its IP
    address), ``lock`` or ``last_reserved_ip.<range>``. Only these are removed with the network."""
    if name == "lock" or LAST_RESERVED_RE.match(name):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def ipam_leases(conflist):
    """host-local leases of a network: [{address, container_id, ifname, file}] from each dataDir/<name>/."""
    leases = []
    for data_dir in cni_config.ipam_data_dirs(conflist):
        directory = os.path.join(data_dir, conflist["name"])
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            try:
                ipaddress.ip_address(name)
            except ValueError:
                continue  # lock, last_reserved_ip.N
            try:
                with open(os.path.join(directory, name)) as handle:
                    lines = handle.read().splitlines()
            except (IOError, OSError):
                continue
            leases.append({"address": name, "container_id": lines[0].strip() if lines else "",
                           "ifname": lines[1].strip() if len(lines) > 1 else "", "file": os.path.join(directory, name)})
    return leases
