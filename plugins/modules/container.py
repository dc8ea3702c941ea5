#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: container
short_description: Manage containerd containers (the static container record) with drift detection
version_added: 0.4.0
description:
  - Creates and removes containerd containers (C(ctr containers create|delete)). A container is the static
    record of what to run; its running process is the task. O(state=running) and O(state=stopped) converge the
    container and its task in one module run, with the start, stop and restart behaviour of
    M(containerd.runtime.task), which stays for finer control (pause, signals, deleting the task).
  - On every run the desired configuration (the options below plus the image's config) is compared with the
    real container record (C(ctr containers info)) and the image's current digest. Any difference re-creates
    the container; RV(differences) names each differing option and diff mode shows before and after.
  - A container whose task runs (or is paused) when it is re-created is stopped gracefully first (its stop
    signal, O(stop_timeout) seconds, then SIGKILL) and its task is started again afterwards (and paused again
    if it was paused), so the workload keeps the state it had.
  - Removing a container (O(state=absent)) stops and deletes its task first, and deletes its snapshot.
  - O(restart_policy) uses containerd's own restart monitor (the C(containerd.io/restart.*) labels), so a task
    comes back after its process dies, after a daemon restart or a reboot, without any extra unit. The monitor
    checks every 10 seconds by default (C(interval) of the restart plugin in containerd's config).
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
  - containerd.runtime.connection.converging
  - containerd.runtime.cni_paths
options:
  name:
    description:
      - Name (ID) of the container. containerd's identifier rules apply.
    type: str
    required: true
  state:
    description:
      - V(present) creates the container, or re-creates it when it differs (a task that ran is started again);
        it does not start or stop the task.
      - V(running) is V(present), then the task is started when it is not running (a stopped task is deleted
        first) and resumed when it is paused, as M(containerd.runtime.task) O(containerd.runtime.task#module:state=running)
        does. A re-created container's task is started again (and not paused again).
      - V(stopped) is V(present) with the task not running. A running or paused task is stopped gracefully (the
        container's stop signal, its O(stop_timeout), then SIGKILL) and its record kept; a re-created container
        gets no task. A container without a task counts as stopped.
      - V(absent) removes the container, its task and its snapshot.
    type: str
    choices: [present, running, stopped, absent]
    default: present
  image:
    description:
      - Full image reference, as C(ctr images ls) lists it (for example V(docker.io/library/busybox:latest)).
      - Required unless O(state=absent). The image must be present in the namespace unless O(pull=missing).
    type: str
  pull:
    description:
      - V(never) fails when the image is not present; V(missing) pulls it first.
      - V(missing) pulls with default registry settings (HTTPS, verified TLS, no credentials, the host's
        C(certs.d)); for anything else pull with M(containerd.runtime.image) first.
    type: str
    choices: [never, missing]
    default: never
  command:
    description:
      - The command to run, overriding the image's C(Cmd) (the image's C(Entrypoint), if any, stays in front),
        as C(docker run IMAGE COMMAND) does.
      - A list is used as is; a string is split like a POSIX shell would (no expansion).
      - When not set, the image's C(Entrypoint) and C(Cmd) are used.
    type: raw
  entrypoint:
    description:
      - The program to run instead of the image's C(Entrypoint), as C(docker run --entrypoint) does; the image's
        C(Cmd) is then dropped, and O(command) (if set) follows the entrypoint.
      - A list is used as is; a string is split like a POSIX shell would. V([]) (or an empty string) runs
        O(command) without any entrypoint.
    type: raw
    version_added: 0.4.0
  env:
    description:
      - Environment variables, merged over the image's C(Env) (a variable given here wins).
    type: dict
  labels:
    description:
      - Labels of the container, merged over the labels of the image's config (ctr copies those onto the
        container; a label given here wins). The container carries exactly these and the image's (plus the
        labels the collection and containerd manage, which are not compared).
      - Labels that come from the image are no drift (ctr copies them onto the container); dropping a label
        given here that overrode one of the image's re-creates the container with the image's value.
      - Values must not contain a comma.
      - Keys must not start with C(-) (ctr 1.6 and 1.7 would read such an argument as one of their own flags).
    type: dict
  mounts:
    description:
      - Bind and tmpfs mounts besides the ones every container gets.
    type: list
    elements: dict
    suboptions:
      type:
        description: V(bind) mounts a host path; V(tmpfs) a fresh tmpfs.
        type: str
        choices: [bind, tmpfs]
        default: bind
      source:
        description: Absolute host path of a bind mount; it must exist.
        type: path
      target:
        description: Absolute path inside the container.
        type: str
        required: true
      read_only:
        description: Mount read-only.
        type: bool
        default: false
      options:
        description:
          - More mount options, for example V(size=64m) or V(mode=1777) for tmpfs, V(nosuid), V(noexec).
          - An option must not contain C(,) or C(:) (ctr's mount syntax uses them).
        type: list
        elements: str
  user:
    description:
      - User (and group) to run as, V(name|uid[:group|gid]). Names are looked up in the image.
      - When not set, the image's C(User) applies (root when the image names none).
      - Needs containerd 1.7 or later (C(ctr) 1.6 cannot set it).
    type: str
  working_dir:
    description: Working directory of the process; default the image's C(WorkingDir), else V(/).
    type: str
  hostname:
    description:
      - Host name inside the container. Needs containerd 1.7 or later.
    type: str
  tty:
    description: Allocate a terminal for the process.
    type: bool
    default: false
  privileged:
    description: Run privileged (all capabilities and devices).
    type: bool
    default: false
  read_only:
    description: Mount the container's root filesystem read-only.
    type: bool
    default: false
  net_host:
    description: Use the host's network namespace. Mutually exclusive with O(network_namespace).
    type: bool
    default: false
  network_namespace:
    description:
      - Path of an existing network namespace to join (for example V(/var/run/netns/web)); it must exist.
      - Without it (and without O(net_host)) the container gets a new, empty network namespace.
    type: path
  memory:
    description:
      - Memory limit, a number of bytes or a number with a unit V(b), V(k), V(m), V(g), V(t) (binary units),
        for example V(512m).
    type: str
  cpus:
    description:
      - Number of CPUs the container may use, fractional (V(0.5)); mapped to a CFS quota over a 100 ms period.
    type: float
  runtime:
    description:
      - Runtime (shim) of the container. Its shim binary (for example C(containerd-shim-runc-v2)) must exist
        next to C(ctr), in E(PATH), C(/usr/local/bin) or C(/usr/bin).
    type: str
    default: io.containerd.runc.v2
  snapshotter:
    description:
      - Snapshotter for the container's root filesystem; default the daemon's default. Only compared when set.
    type: str
  stop_signal:
    description:
      - Signal that stops the task gracefully; default the image's C(StopSignal), else V(SIGTERM).
      - Kept in containerd's C(io.containerd.image.config.stop-signal) label.
    type: str
  stop_timeout:
    description:
      - Seconds to wait after the stop signal before SIGKILL, when this module or M(containerd.runtime.task)
        stops the task.
    type: int
    default: 10
  restart_policy:
    description:
      - V(no), V(always), V(unless-stopped) or V(on-failure) / V(on-failure:N) (at most N restarts), applied by
        containerd's restart monitor once the task has been started (O(state=running) or M(containerd.runtime.task)).
      - A task stopped with O(state=stopped) or M(containerd.runtime.task) stays stopped, whatever the policy.
      - containerd 1.6's monitor knows no policies other than restarting; there every policy but V(no)
        behaves like V(always).
    type: str
    default: "no"
  recreate:
    description: Re-create the container even when nothing differs.
    type: bool
    default: false
  log_path:
    description:
      - With O(state=running), the absolute path of a file on the host that receives the task's stdout and
        stderr, as M(containerd.runtime.task)'s O(containerd.runtime.task#module:log_path). Without it the output
        is discarded.
      - Only used when the task is started; it is not compared (a running task keeps the log it has).
    type: path
    version_added: 0.5.0
  networks:
    description:
      - CNI networks (defined in O(cni_conf_dir), for example with M(containerd.runtime.cni_network)) to attach
        the container to. The module creates the named network namespace C(<namespace>--<name>), attaches it to
        each network (CNI C(ADD); on later runs C(CHECK), and a new C(ADD) only when the attachment is unhealthy)
        and the container joins it.
      - Mutually exclusive with O(net_host) and O(network_namespace).
      - Removing the container detaches it (CNI C(DEL), which releases its IPAM lease) and removes the netns.
        M(containerd.runtime.task) re-creates and re-attaches the netns before it starts the task when the netns
        is gone (after a reboot).
      - An entry is a network name, or a dict with C(name) (required), C(ifname) (the interface name inside the
        container; default V(eth0) for the first network, V(eth1) for the second and so on) and C(ips) (static
        IPs, at most one per IP family, without prefix, asked from the network's IPAM through the CNI C(ips)
        capability; each must be in one of the network's subnets).
    type: list
    elements: raw
  ports:
    description:
      - Ports to publish, V([HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp|sctp]), for example V(8080:80) or
        V(127.0.0.1:8080:80/tcp). Published by the portmap plugin of the first of O(networks) that has one
        (a network created with C(port_mappings=true)).
    type: list
    elements: str
notes:
  - Compared options are O(image) (and the image's digest, so a tag moved to a new image re-creates the
    container), O(command), O(env), O(labels), O(mounts), O(user), O(working_dir), O(hostname), O(tty),
    O(privileged), O(read_only), O(net_host), O(network_namespace), O(memory), O(cpus), O(runtime),
    O(snapshotter), O(stop_signal), O(stop_timeout), O(restart_policy), O(networks) and O(ports). When
    O(networks) or O(ports) differ, the container is detached and attached again.
  - The networks, ports and CNI directories of a container on networks are kept in its
    C(containerd.runtime/networks) label, so that M(containerd.runtime.task) can re-attach it.
  - Containers on networks need the Python library pyroute2 on the managed host.
  - The image digest, the O(user) asked for and O(stop_timeout) are kept in C(containerd.runtime/*) labels of
    the container. A container created by other tools has no digest label; its image digest is not compared
    until the module re-creates it.
  - The parts of the image's config a container inherits (entrypoint, cmd, env, working dir, stop signal, labels,
    user) are kept in its C(containerd.runtime/image-config) label (when they fit containerd's 4 KiB label limit).
    While the image's digest is the one the container was made from, a run compares against them and does not
    read the image's config again.
  - Every container the module creates carries a C(containerd.runtime/fingerprint) label, a digest of the image
    and options it was created from, with which M(containerd.runtime.workloads) confirms its containers without
    reading each one.
  - A tmpfs mount at C(/run) or bind mounts of C(/etc/hosts) or C(/etc/resolv.conf) from the same host paths
    look like the ones ctr adds itself and are not compared.
seealso:
  - module: containerd.runtime.task
  - module: containerd.runtime.task_exec
"""

EXAMPLES = r"""
- name: A web server container, created and its task running (one module run)
  containerd.runtime.container:
    name: web
    state: running
    log_path: /var/log/web.log
    image: docker.io/library/busybox:latest
    command: httpd -f -p 8080 -h /var/www
    networks:
      - web
      - name: backend
        ips: [10.89.0.10]
    ports:
      - 127.0.0.1:8080:8080
    env:
      MODE: production
    labels:
      team: web
    mounts:
      - source: /srv/www
        target: /var/www
        read_only: true
      - type: tmpfs
        target: /tmp
        options: [size=64m]
    memory: 512m
    cpus: 1.5
    restart_policy: always

- name: Stop its task gracefully (the container stays)
  containerd.runtime.container:
    name: web
    image: docker.io/library/busybox:latest
    command: httpd -f -p 8080 -h /var/www
    state: stopped

- name: Only create a container; start it later with containerd.runtime.task
  containerd.runtime.container:
    name: batch
    image: docker.io/library/busybox:latest
    command: sleep 60

- name: Remove the container, its task and its snapshot
  containerd.runtime.container:
    name: web
    state: absent
"""

RETURN = r"""
container:
  description:
    - The container's compared options after the task (its prediction in check mode), plus its name;
      V(null) when absent.
  returned: always
  type: dict
  sample: {"name": "web", "image": "docker.io/library/busybox:latest", "command": ["httpd", "-f"],
           "env": {"PATH": "/bin"}, "memory": 536870912, "cpus": 1.5, "restart_policy": "always"}
differences:
  description: Names of the options that differed and made the module re-create the container.
  returned: always
  type: list
  elements: str
  sample: ["env", "memory"]
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: str
  sample: ["stopped task web with SIGTERM", "re-created container web", "started task web"]
stopped_by:
  description:
    - The signal that stopped the running task (before re-creation or removal, or for O(state=stopped));
      V(null) if none ran.
  returned: always
  type: str
  sample: SIGTERM
task:
  description:
    - With O(state=running) or O(state=stopped), the container's task after the module ran (its prediction in
      check mode), as M(containerd.runtime.task) returns it; V(null) when the container has no task (a new or
      re-created container with O(state=stopped)).
  returned: when O(state) is V(running) or V(stopped)
  type: dict
  contains:
    status:
      description: V(running), V(paused) or V(stopped).
      type: str
    pid:
      description: The host PID of the task's process; V(null) in check mode's prediction.
      type: int
    name:
      description: The container's name.
      type: str
  sample: {"name": "web", "pid": 4242, "status": "running"}
interfaces:
  description:
    - The container's interfaces on its O(networks) (predicted in check mode); empty when it has none.
  returned: always
  type: list
  elements: dict
  contains:
    network:
      description: Name of the network.
      type: str
    ifname:
      description: Interface name inside the container.
      type: str
    ips:
      description: Addresses with prefix length, IPv4 and IPv6.
      type: list
      elements: str
    mac:
      description: MAC address of the interface.
      type: str
    addresses:
      description: Per address its C(address), C(gateway) and C(family) (4 or 6).
      type: list
      elements: dict
    ports:
      description: The port mappings published through this interface (portmap's C(portMappings)).
      type: list
      elements: dict
  sample: [{"network": "web", "ifname": "eth0", "ips": ["10.88.0.5/24"], "mac": "be:3c:1f:00:aa:01"}]
diff:
  description:
    - Before and after of what differed; with O(state=running) or O(state=stopped) the task's status as key
      C(task) (V(absent) when there is no task).
  returned: when diff mode is on
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._container import network as container_network
from ansible_collections.containerd.runtime.plugins.module_utils._container import options
from ansible_collections.containerd.runtime.plugins.module_utils._common.module import (
    argument_spec,
    client_for,
    ctr_path_of,
    fail,
    run_context,
)
from ansible_collections.containerd.runtime.plugins.module_utils._container.converge import converge, validate
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(**dict(options.container_spec(), **container_network.path_options())),
        supports_check_mode=True,
    )
    try:
        plan = validate(module.params, ctr_path_of(module))
        client = client_for(module)
        module.exit_json(**converge(module.params, client, run_context(module), plan, module).result)
    except CollectionError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
