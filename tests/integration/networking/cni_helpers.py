# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the networking tests: host state read with ip/iptables, names and dirs per test, cleanup."""
import importlib.util
import json
import random
import shlex
import subprocess
import uuid
from pathlib import Path

from harness.binaries import tool

FORWARDING = ("/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding")


def run(*argv, check=True):
    return subprocess.run([str(arg) for arg in argv], capture_output=True, text=True, check=check, timeout=60)


def host_links():
    """Names of the host's interfaces (``ip -o link``)."""
    return {line.split(":")[1].strip().split("@")[0] for line in run("ip", "-o", "link").stdout.splitlines()}


def bridges():
    """Names of the host's bridges."""
    return {entry["ifname"] for entry in json.loads(run("ip", "-j", "link", "show", "type", "bridge").stdout or "[]")}


def netns_names():
    return {line.split()[0] for line in run("ip", "netns", "list").stdout.splitlines() if line.strip()}


def iptables_rules():
    """Every IPv4 and IPv6 rule and chain of the host, as iptables-save prints them."""
    return run("iptables-save").stdout + run("ip6tables-save").stdout


def netns_addresses(netns, ifname="eth0"):
    data = json.loads(run("ip", "-n", netns, "-j", "addr", "show", "dev", ifname).stdout)
    return ["%s/%s" % (a["local"], a["prefixlen"]) for a in data[0]["addr_info"] if a.get("scope") == "global"]


def ping(netns, address, count=1):
    """Whether ``address`` answers a ping from ``netns`` (busybox's ping: this host has no iputils)."""
    command = "ping6" if ":" in address else "ping"
    return run("ip", "netns", "exec", netns, tool("busybox"), command, "-c", count, "-W", "2", address,
               check=False).returncode == 0


def bridge_members(bridge):
    """Interfaces plugged into ``bridge`` (empty when it does not exist)."""
    proc = run("ip", "-o", "link", "show", "master", bridge, check=False)
    return [line.split(":")[1].strip().split("@")[0] for line in proc.stdout.splitlines()] if proc.returncode == 0 else []


class CniWorld:
    """Unique names and private directories for one test, and the cleanup of what it made."""

    def __init__(self, tmp_path, bin_dir):
        self.tag = uuid.uuid4().hex[:6]
        self.conf_dir = tmp_path / "net.d"
        self.cache_dir = tmp_path / "cache"
        self.ipam_dir = tmp_path / "ipam"
        self.bin_dir = bin_dir
        self.networks = []
        self.bridges = []
        self.netns = []
        self.rng = random.Random(uuid.uuid4().int)

    def network(self):
        name = "crt-%s-%d" % (self.tag, len(self.networks))
        self.networks.append(name)
        return name

    def bridge(self):
        name = "crt%s%d" % (self.tag, len(self.bridges))
        self.bridges.append(name)
        return name

    def ns(self):
        name = "crt-%s-ns%d" % (self.tag, len(self.netns))
        self.netns.append(name)
        return name

    def subnet4(self):
        return "10.%d.%d.0/24" % (self.rng.randint(160, 199), self.rng.randint(0, 255))

    def subnet6(self):
        return "fd%02x:%x:%x::/64" % (self.rng.randint(0, 255), self.rng.randint(1, 0xffff), self.rng.randint(1, 0xffff))

    def common(self, **args):
        """Options every task of these tests passes: the private dirs and the cached plugins."""
        return dict(conf_dir=str(self.conf_dir), cache_dir=str(self.cache_dir), bin_dir=[str(self.bin_dir)], **args)

    def bridge_network(self, name, **args):
        """Options of a bridge network with its own bridge and IPAM dir (pass subnets)."""
        options = self.common(name=name, bridge=args.pop("bridge", None) or self.bridge(),
                              ipam_data_dir=str(self.ipam_dir))
        options.update(args)
        return options

    def leases(self, network):
        directory = self.ipam_dir / network
        if not directory.exists():
            return []
        return sorted(p.name for p in directory.iterdir() if p.name != "lock" and not p.name.startswith("last_"))

    def cache_entries(self):
        directory = self.cache_dir / "results"
        return sorted(p.name for p in directory.iterdir()) if directory.exists() else []

    def cleanup(self, ansible):
        """Detach what is still cached, then remove the netns, bridges and iptables rules of this test."""
        for name in self.cache_entries():
            entry = json.loads((self.cache_dir / "results" / name).read_text())
            ansible.module("cni_network", self.common(
                name=entry["networkName"], state="detached", netns=Path(entry["netns"]).name,
                container_id=entry["containerId"], ifname=entry["ifName"]))
        for name in self.netns:
            if name in netns_names():
                run("ip", "netns", "del", name, check=False)
        for name in self.bridges:
            if name in host_links():
                run("ip", "link", "del", name, check=False)
        remove_rules_mentioning(self.networks)


def remove_rules_mentioning(networks):
    """Delete iptables rules whose comment names one of ``networks`` (a safety net; DEL removes them)."""
    for save, command in (("iptables-save", "iptables"), ("ip6tables-save", "ip6tables")):
        table = None
        chains = set()
        for line in run(save).stdout.splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith("-A ") and any('name: \\"%s\\"' % net in line for net in networks):
                argv = shlex.split(line)
                run(command, "-t", table, "-D", *argv[1:], check=False)
                targets = [argv[1]] + [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "-j"]
                # a per-attachment chain goes; a top-level chain shared with other attachments stays
                chains.update((table, chain) for chain in targets if chain.startswith("CNI-") and chain not in SHARED_CHAINS)
        for table, chain in chains:
            run(command, "-t", table, "-F", chain, check=False)
            run(command, "-t", table, "-X", chain, check=False)


SHARED_CHAINS = ("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK",
                 "CNI-FORWARD", "CNI-ADMIN")


def chains(command="iptables", table="nat"):
    """Chains of an iptables table."""
    return {line.split()[0][1:] for line in run(command + "-save", "-t", table).stdout.splitlines()
            if line.startswith(":")}


def networking_fixtures(name):
    """The networking tests' conftest loaded as module ``name``, for other test dirs to reuse its fixtures
    (``forwarding_restored``, ``plugin_chains_removed``) by assigning them in their own module."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
