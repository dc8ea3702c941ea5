# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Containers as Ansible hosts: Python containers made with the collection's own modules, and inventories
that reach them through the ``containerd.runtime.containerd`` connection."""
import json
import subprocess
import uuid

from . import python_image
from .ansible import BIN, Ansible

CONNECTION = "containerd.runtime.containerd"
INTERPRETER = "/usr/bin/python3"
# systemd's container interface: PID 1's environment says it runs in a container (Ansible's facts read it)
CONTAINER_ENV = {"container": "containerd"}


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def create_hosts(ansible, names, stopped=(), labels=None, namespace=None):
    """Import the Python image and run one container per name with the collection's image, container and
    task modules; those in ``stopped`` are stopped again. ``labels``: {name: {label: value}}."""
    scope = {"namespace": namespace} if namespace else {}
    tasks = [{"name": "image", "containerd.runtime.image": dict(
        scope, name=python_image.REF, source="import", archive_path=str(python_image.archive()))}]
    for name in names:
        tasks.append({"name": "container " + name, "containerd.runtime.container": dict(
            scope, name=name, image=python_image.REF, labels=(labels or {}).get(name) or {}, env=CONTAINER_ENV)})
        tasks.append({"name": "task " + name, "containerd.runtime.task": dict(scope, name=name, state="running")})
        if name in stopped:
            tasks.append({"name": "stop " + name, "containerd.runtime.task": dict(scope, name=name, state="stopped")})
    play = ansible.run(tasks, ignore_errors=False)
    assert play.rc == 0 and play.failures() == [], play
    return play


def inventory(containerd, namespace, hosts, **host_vars):
    """A whole inventory whose hosts are containers of ``namespace``, reached through the connection."""
    return {"all": {"hosts": {name: dict(host_vars) for name in hosts}, "vars": {
        "ansible_connection": CONNECTION,
        "ansible_containerd_address": containerd.socket,
        "ansible_containerd_namespace": namespace,
        "ansible_containerd_ctr_path": containerd.ctr_path,
        "ansible_python_interpreter": INTERPRETER,
        # the harness points remote_tmp at the controller's work dir; inside a container, Ansible's default
        "ansible_remote_tmp": "~/.ansible/tmp",
    }}}


def runner(workdir, containerd, namespace, env=None):
    """An Ansible runner whose collection modules talk to ``containerd`` in ``namespace``."""
    return Ansible(workdir, defaults={"address": containerd.socket, "ctr_path": containerd.ctr_path,
                                      "namespace": namespace}, env=env)


def ansible_command(runner, tool, *args, record=None):
    """Run ``ansible-inventory`` / ``ansible-playbook`` (``tool``) with the harness environment and the record
    callback; returns (CompletedProcess, task records)."""
    runner.runs += 1
    record = runner.workdir / ("run-%03d.json" % runner.runs)
    proc = subprocess.run([str(BIN / tool)] + [str(arg) for arg in args], cwd=runner.workdir, capture_output=True,
                          text=True, timeout=600, check=False, env=dict(runner.environment(), RECORD_FILE=str(record)))
    return proc, (json.loads(record.read_text()) if record.exists() else [])
