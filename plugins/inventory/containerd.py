# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: containerd
short_description: containerd containers as inventory hosts
description:
  - Makes the containers of one or more containerd namespaces inventory hosts, reached through the
    P(containerd.runtime.containerd#connection) connection.
  - By default only containers whose task is running; O(include_stopped) adds the others.
  - Reads with C(ctr) on the controller (C(containers ls), C(tasks ls), C(containers info)); the networks
    of containers made by this collection come from their networks label and the CNI result cache.
  - The configuration file's name must end with C(containerd.yml) or C(containerd.yaml).
author:
  - containerd.runtime developers (@containerd-runtime)
version_added: 0.4.0
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [containerd.runtime.containerd]
  address:
    description:
      - Address of containerd's gRPC socket, as C(ctr --address) takes it.
      - Hosts get it as C(ansible_containerd_address).
    type: str
    default: /run/containerd/containerd.sock
    env:
      - name: CONTAINERD_ADDRESS
  namespaces:
    description: The containerd namespaces whose containers become hosts.
    type: list
    elements: str
    default: [default]
  ctr_path:
    description:
      - Path of the C(ctr) binary on the controller; hosts get it as C(ansible_containerd_ctr_path).
      - When not set, C(ctr) is looked up in E(PATH), then in C(/usr/local/bin) and C(/usr/bin).
    type: path
  timeout:
    description: Seconds to wait for containerd to answer each command.
    type: int
    default: 30
  include_stopped:
    description:
      - Also the containers without a running task (stopped, paused, or never started).
      - Their C(containerd_task_status) says which; tasks on them fail until their task runs.
    type: bool
    default: false
  labels:
    description:
      - Only containers that have every one of these labels with this value.
      - A value of V(null) (C(~)) matches any value of that label, as long as the container has it.
    type: dict
    default: {}
  hostname:
    description:
      - The inventory name of each container. V(id) is the container's ID; V(namespace_id) is
        C(<namespace>_<id>), for containers of several namespaces whose IDs collide.
      - IDs that collide across O(namespaces) with V(id) fail the inventory with a message naming them.
    type: str
    choices: [id, namespace_id]
    default: id
notes:
  - 'Host variables: C(containerd_id), C(containerd_namespace), C(containerd_image), C(containerd_runtime),
    C(containerd_labels), C(containerd_task_status) (C(running), C(paused), C(stopped), C(created) without a
    task), C(containerd_task_pid) (or V(null)), C(containerd_networks) (a list of C(network), C(ifname),
    C(ips), C(mac)) and C(containerd_ip_addresses) (the addresses without prefix length), plus
    C(ansible_connection), C(ansible_host), C(ansible_containerd_namespace), C(ansible_containerd_address)
    and C(ansible_containerd_ctr_path) for the connection. Use them in O(compose), O(groups) and
    O(keyed_groups).'
"""

EXAMPLES = r"""
---
# web.containerd.yml: running containers of two namespaces, grouped by namespace and by label "role"
plugin: containerd.runtime.containerd
namespaces: [web, batch]
labels:
  managed-by: ansible
keyed_groups:
  - key: containerd_namespace
    prefix: ns
  - key: containerd_labels.role | default('none')
    prefix: role
groups:
  on_network: containerd_ip_addresses | length > 0
compose:
  ansible_python_interpreter: "'/usr/bin/python3'"

---
# k8s.containerd.yml: every container of the k8s.io namespace on a k3s node, cached for an hour
plugin: containerd.runtime.containerd
address: /run/k3s/containerd/containerd.sock
namespaces: [k8s.io]
include_stopped: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/containerd-inventory
cache_timeout: 3600
"""

from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

# the collection's client and the networks label (keep these imports here, together)
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import (
    CtrClient,
    SubprocessRunner,
    find_ctr,
)
from ansible_collections.containerd.runtime.plugins.module_utils._container.network import cached_interfaces
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError

CONNECTION = "containerd.runtime.containerd"
READERS = 4


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "containerd.runtime.containerd"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ("containerd.yml", "containerd.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self._read_containers()
        if update_cache:
            self._cache[cache_key] = records
        self._populate(records)

    # ---- reading containerd -----------------------------------------------------------------------

    def _client(self):
        ctr_path = self.get_option("ctr_path") or find_ctr()
        return CtrClient(ctr_path, address=self.get_option("address"), timeout=self.get_option("timeout"),
                         runner=SubprocessRunner())

    def _read_containers(self):
        """[{id, namespace, image, runtime, labels, task_status, task_pid, networks}] of the chosen containers."""
        client = self._client()
        wanted = self.get_option("labels") or {}
        try:
            listed = []
            for namespace in self.get_option("namespaces"):
                tasks = dict((task["name"], task) for task in client.tasks(namespace=namespace))
                for container in client.containers(namespace=namespace):
                    task = tasks.get(container["name"])
                    status = task["status"] if task else "created"
                    if status == "running" or self.get_option("include_stopped"):
                        listed.append((namespace, container, task, status))
            with ThreadPoolExecutor(max_workers=READERS) as pool:
                infos = list(pool.map(lambda entry: self._info(client, entry[0], entry[1]["name"]), listed))
        except CollectionError as error:
            raise AnsibleParserError("containerd inventory: %s" % error.message)
        records = []
        for (namespace, container, task, status), info in zip(listed, infos):
            if info is None:
                continue  # removed between the listing and the read
            labels = info.get("Labels") or {}
            if any(key not in labels or (value is not None and labels[key] != str(value))
                   for key, value in wanted.items()):
                continue
            records.append({
                "id": container["name"], "namespace": namespace, "image": info.get("Image") or container["image"],
                "runtime": container["runtime"], "labels": labels, "task_status": status,
                "task_pid": task["pid"] if task and status != "stopped" else None,
                "networks": cached_interfaces(info),
            })
        return records

    @staticmethod
    def _info(client, namespace, name):
        scoped = CtrClient(client.ctr_path, address=client.address, namespace=namespace, timeout=client.timeout,
                           runner=client.runner)
        return scoped.container_info(name)

    # ---- populating the inventory -----------------------------------------------------------------

    def _host_name(self, record):
        if self.get_option("hostname") == "namespace_id":
            return "%s_%s" % (record["namespace"], record["id"])
        return record["id"]

    def _populate(self, records):
        strict = self.get_option("strict")
        seen = {}
        for record in records:
            name = self._host_name(record)
            if name in seen:
                raise AnsibleParserError(
                    "containerd inventory: container %s is in namespaces %s and %s; set hostname: namespace_id "
                    "to tell them apart" % (record["id"], seen[name], record["namespace"]))
            seen[name] = record["namespace"]
            host = self.inventory.add_host(name)
            variables = self._host_vars(record)
            for key, value in variables.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)

    def _host_vars(self, record):
        variables = {
            "containerd_id": record["id"],
            "containerd_namespace": record["namespace"],
            "containerd_image": record["image"],
            "containerd_runtime": record["runtime"],
            "containerd_labels": record["labels"],
            "containerd_task_status": record["task_status"],
            "containerd_task_pid": record["task_pid"],
            "containerd_networks": record["networks"],
            "containerd_ip_addresses": [ip.split("/", 1)[0] for network in record["networks"]
                                        for ip in network["ips"]],
            "ansible_connection": CONNECTION,
            "ansible_host": record["id"],
            "ansible_containerd_namespace": record["namespace"],
            "ansible_containerd_address": self.get_option("address"),
        }
        if self.get_option("ctr_path"):
            variables["ansible_containerd_ctr_path"] = self.get_option("ctr_path")
        return variables
