#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: workloads
short_description: Converge all containerd workloads (containers and their tasks) of a host in one call
version_added: 0.4.0
description:
  - The batch entry point of the collection (the role C(containerd.runtime.workloads) calls it). One call
    converges a list of workloads, each a container (as M(containerd.runtime.container) makes it) and its task
    (as M(containerd.runtime.task) runs it), with the same code as those modules, which stay the per-object API.
  - Every entry is validated before anything changes; a bad entry fails the module with messages that start
    with the entry's index and name, for example C(workloads[2] (web)), followed by what is wrong with it.
  - Reads are done in bulk (one image list and one task list per namespace). Every container the collection
    creates carries a C(containerd.runtime/fingerprint) label, a digest of the image and options it was created
    from; one filtered container listing per namespace confirms the containers that still carry the fingerprint
    the run computes and every declared label with its value, and their records are not read. The others (a
    changed entry, a container created by other means or by an older release, a workload with a
    C(restart_policy), one whose task is to be started) are read concurrently (O(parallel)) and
    compared. A run that changes nothing costs a few C(ctr) calls per namespace. A label added by other means
    to a confirmed container is not noticed (as community.docker's default C(allow_more_present) comparison of
    labels); a declared label changed or removed by hand is, and M(containerd.runtime.container), which reads
    the record, treats an added label as drift too.
  - Entries are then converged in order. A workload the run started or re-created is waited for until its
    C(healthcheck) passes (unless O(wait_healthy=false)) before the next entry; a workload that does not become
    healthy, or whose image cannot be pulled, fails the module naming it; the entries before it stay converged.
  - Every container the module creates carries the label C(containerd.runtime/managed-by=workloads) (which
    entries cannot set); with O(prune) such containers that are no longer declared are removed.
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
  - containerd.runtime.connection.converging
  - containerd.runtime.cni_paths
options:
  namespace:
    description:
      - The namespace of entries that do not set their own C(namespace).
      - If not set, the environment variable E(CONTAINERD_NAMESPACE) is used.
    type: str
    default: default
  workloads:
    description:
      - The workloads, each a dict with the keys below.
      - C(name) (str, required) - name of the container (and of its task).
      - C(image) (str) - full image reference (for example V(docker.io/library/busybox:latest)); required unless
        C(state) is V(absent).
      - C(namespace) (str) - containerd namespace of the workload; default O(namespace).
      - C(state) (str) - V(running) (default) creates the container and runs its task; V(stopped) creates the
        container and keeps its task stopped; V(absent) removes the container, its task and its snapshot.
      - C(pull) (str) - V(missing) (default) pulls the image when it is not present; V(always) pulls it on every
        run (the container is re-created when the image moved to a new digest; check mode asks the registry).
      - C(command) (str or list), C(entrypoint) (str or list), C(env) (dict), C(labels) (dict), C(mounts) (list of dicts with C(type),
        C(source), C(target), C(read_only), C(options)), C(networks) (list), C(ports) (list of str),
        C(restart_policy) (str, default V(no)), C(memory) (str), C(cpus) (float), C(user) (str), C(working_dir)
        (str), C(privileged), C(read_only), C(net_host) (bool, default V(false)) - as the options of the same
        name of M(containerd.runtime.container). What the image's config declares (C(Entrypoint), C(Cmd),
        C(Env), C(WorkingDir), C(User), C(StopSignal), C(Labels)) is the baseline these override, as Docker does.
      - C(healthcheck) (dict) - how to tell that a started workload is healthy. C(exec) (str or list) runs a
        command in the task (healthy when it exits 0); C(tcp_port) (int) connects to that port on the
        container's first CNI address, or on 127.0.0.1 with C(net_host) or without C(networks); C(host) (str)
        connects there instead. Exactly one of C(exec) and C(tcp_port). C(retries) (int, default 10) attempts,
        C(interval) (float, default 1) seconds apart, after C(start_period) (float, default 0) seconds.
        The image's own C(Healthcheck) (Docker's C(HEALTHCHECK)) is not run (containerd does not run it), and a
        workload without C(healthcheck) is healthy once its task runs. Declare the check here to have it waited for.
    type: list
    elements: dict
    required: true
  prune:
    description:
      - Remove the containers (task first) that carry the label C(containerd.runtime/managed-by=workloads) but are
        not declared, in the namespaces of the entries and in O(prune_namespaces). Containers without the
        label are never touched.
    type: bool
    default: false
  prune_namespaces:
    description:
      - More namespaces to prune with O(prune), for example ones no entry uses any longer.
    type: list
    elements: str
    default: []
  wait_healthy:
    description:
      - Wait for the C(healthcheck) of each workload the run started or re-created.
    type: bool
    default: true
  hosts_dir:
    description:
      - A containerd C(certs.d) directory (C(<hosts_dir>/<registry>/hosts.toml)) for pulls.
      - Default C(/etc/containerd/certs.d) when that directory exists.
    type: path
  plain_http:
    description:
      - Pull over plain HTTP.
    type: bool
    default: false
  parallel:
    description:
      - Number of read-only C(ctr) calls run at the same time while reading the current state.
    type: int
    default: 4
notes:
  - A workload whose container is re-created while its task runs is stopped gracefully and started again,
    as M(containerd.runtime.container) does it.
  - A container of the same name declared but created by other means is adopted (labelled as managed).
  - Containers on networks need the Python library pyroute2 on the managed host.
seealso:
  - module: containerd.runtime.container
  - module: containerd.runtime.task
"""

EXAMPLES = r"""
- name: Converge the host's workloads
  containerd.runtime.workloads:
    namespace: apps
    prune: true
    workloads:
      - name: web
        image: docker.io/library/busybox:latest
        command: httpd -f -p 8080
        networks: [web]
        ports: ["127.0.0.1:8080:8080"]
        restart_policy: always
        healthcheck:
          tcp_port: 8080
          retries: 20
          interval: 0.5
      - name: worker
        image: docker.io/library/busybox:latest
        command: [sh, -c, "while :; do date; sleep 60; done"]
        memory: 64m
        healthcheck:
          exec: [pidof, sh]
      - name: old
        state: absent
  register: deployed
"""

RETURN = r"""
workloads:
  description: One result per entry, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the workload.
      type: str
    namespace:
      description: Its namespace.
      type: str
    state:
      description: The state asked for.
      type: str
    changed:
      description: Whether the run changed it (or would, in check mode).
      type: bool
    actions:
      description: What was done, or would be done in check mode.
      type: list
      elements: str
    differences:
      description: The container options that differed and made the module re-create it.
      type: list
      elements: str
    healthy:
      description: V(true) when its health check passed after the run started it; V(null) when not checked.
      type: bool
    container:
      description: The container's compared options (as M(containerd.runtime.container) returns them); V(null) when absent.
      type: dict
    interfaces:
      description: The container's interfaces on its networks.
      type: list
      elements: dict
  sample: [{"name": "web", "namespace": "apps", "state": "running", "changed": true, "healthy": true,
            "actions": ["created container web", "started task web"], "differences": [], "container": {}}]
pruned:
  description: The containers O(prune) removed (or would remove).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "old-web", "namespace": "apps"}]
diff:
  description: Before and after per workload name (C(namespace/name) when a name is used in several namespaces).
  returned: when diff mode is on
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._container import network as container_network
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.module import (
    argument_spec,
    ctr_path_of,
    fail,
    run_context,
)
from ansible_collections.containerd.runtime.plugins.module_utils._workloads.batch import Batch


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            workloads=dict(type="list", elements="dict", required=True),
            prune=dict(type="bool", default=False),
            prune_namespaces=dict(type="list", elements="str", default=[]),
            wait_healthy=dict(type="bool", default=True),
            hosts_dir=dict(type="path"),
            plain_http=dict(type="bool", default=False),
            parallel=dict(type="int", default=4),
            **container_network.path_options()
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**Batch(module.params, run_context(module), ctr_path_of(module), commands=module).run())
    except CollectionError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
