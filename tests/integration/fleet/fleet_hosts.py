# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet tests' hosts: inventory entries with the local connection, each pointing at a containerd.

A host's ``containerd_grpc_address`` / ``containerd_ctr_path`` name one daemon and its
``containerd_workloads_namespace`` a namespace of its own; ``Host`` reads what runs there with plain ctr.
The fixtures that build them are in conftest.py.
"""
import json
import socket

from harness import images

BUSYBOX = "docker.io/library/busybox:test"
BUSYBOX_V2 = "docker.io/library/busybox:v2"
HOSTS = ("host1", "host2", "host3")
DEPLOY = "containerd.runtime.deploy"
WORKLOADS_TASK = "Converge the workloads of this host"
SUMMARY_TASK = "Summary - what runs on this host"


def web(image=BUSYBOX, **extra):
    """The test workload: a shell loop that stops on SIGTERM, healthy when its image marker is readable."""
    entry = {
        "name": "web",
        "image": image,
        "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"],
        "healthcheck": {"exec": ["cat", "/etc/image-marker"], "retries": 60, "interval": 0.5},
    }
    entry.update(extra)
    return entry


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Host:
    def __init__(self, name, daemon, namespace):
        self.name = name
        self.daemon = daemon
        self.namespace = namespace

    def hostvars(self):
        return {
            "ansible_become": False,  # the playbooks become root; the tests already are, and have no sudo
            "containerd_grpc_address": self.daemon.socket,
            "containerd_ctr_path": self.daemon.ctr_path,
            "containerd_workloads_namespace": self.namespace,
        }

    def container(self, name="web"):
        """The container record (ctr containers info JSON), or None."""
        result = self.daemon.ctr("containers", "info", name, namespace=self.namespace, check=False)
        return json.loads(result.stdout) if result.returncode == 0 else None

    def task(self, name="web"):
        """``{'pid': int, 'status': str}`` of the task from plain ctr tasks ls, or None."""
        for line in self.daemon.lines("tasks", "ls", namespace=self.namespace)[1:]:
            task, pid, status = line.split()
            if task == name:
                return {"pid": int(pid), "status": status}
        return None

    def marker(self, name="web"):
        """The image marker (v1 / v2) the running task sees."""
        return images.marker_seen_by(self.task(name)["pid"])


class Fleet:
    """The hosts and a runner of the collection's playbooks against them."""

    def __init__(self, hosts, ansible):
        self.hosts = hosts
        self.ansible = ansible

    def __getitem__(self, name):
        return self.hosts[name]

    def inventory(self):
        return {name: host.hostvars() for name, host in self.hosts.items()}

    def deploy(self, workloads, **extra_vars):
        """Run containerd.runtime.deploy on every host with ``containerd_workloads: workloads``."""
        variables = {"containerd_deploy_hosts": "all", "containerd_workloads": workloads}
        variables.update(extra_vars)
        return self.ansible.playbook(DEPLOY, inventory=self.inventory(), extra_vars=variables)


def records(play, task):
    """The records of ``task`` (matched by the end of its name, roles prefix their names), in run order."""
    return [record for record in play.records if record["task"].endswith(task)]


def by_host(play, task):
    return {record["host"]: record for record in records(play, task)}
