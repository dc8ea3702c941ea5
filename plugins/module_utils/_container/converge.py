# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converging one container: the logic of the ``container`` module, shared with the ``workloads`` module.

``params`` are the ``container`` module's parameters (every option, never changed here); ``client`` a CtrClient
(or the workloads batch's read cache); ``run`` the RunContext (check mode, diff); ``commands`` runs CNI plugins
(see ``network.py``). Failures are typed errors (``_common/errors.py``); ``converge`` returns an ``Outcome``.

``state`` ``running`` and ``stopped`` converge the container as ``present`` does, then its task through the
``task`` module's code (``task_converge.py``) with the record already read; a re-creation then neither restarts a
task that is to stop nor pauses again one that is to run.
"""

from __future__ import annotations

import os

from ansible_collections.containerd.runtime.plugins.module_utils._container import fingerprint
from ansible_collections.containerd.runtime.plugins.module_utils._container import network as container_network
from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_control
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_converge
from ansible_collections.containerd.runtime.plugins.module_utils._container.actions import Actions, Outcome
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.images import RegistryOptions
from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CniError,
    CollectionError,
    ImageNotPresent,
    InvalidContainerOptions,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import (
    identifier_error,
    label_errors,
)

SHIM_DIRS = ["/usr/local/bin", "/usr/bin", "/usr/local/sbin", "/usr/sbin"]
RUNNING = ("running", "paused", "pausing")
PRESENT = ("present", "running", "stopped")  # states in which the container exists


def shim_binary(runtime):
    """io.containerd.runc.v2 -> containerd-shim-runc-v2; None when the name is not a runtime name."""
    parts = runtime.split(".")
    if len(parts) < 4 or parts[0] != "io" or parts[1] != "containerd" or not parts[-1].startswith("v"):
        return None
    return "containerd-shim-%s-%s" % (".".join(parts[2:-1]), parts[-1])


def runtime_error(runtime, ctr_path):
    if runtime.startswith("/"):
        return None if os.access(runtime, os.X_OK) else "runtime %s is not an executable file" % runtime
    binary = shim_binary(runtime)
    if binary is None:
        return ("runtime %r is not a containerd runtime name (io.containerd.<name>.<version>, e.g. "
                "io.containerd.runc.v2) nor an absolute path to a shim" % runtime)
    dirs = ([os.path.dirname(ctr_path)] if ctr_path else []) + os.environ.get("PATH", "").split(os.pathsep) + SHIM_DIRS
    if any(os.access(os.path.join(directory, binary), os.X_OK) for directory in dirs if directory):
        return None
    return ("unknown runtime %r: its shim %s was not found next to ctr, in PATH, %s; install it or choose "
            "another runtime" % (runtime, binary, ", ".join(SHIM_DIRS)))


def validate(params, ctr_path):
    """Check the parameters before anything runs; return the network plan (container_network.Plan).

    ``ctr_path``: the ctr in use (a runtime's shim is looked for next to it). Raises InvalidContainerOptions
    with every message, or MissingRequirement when a container on networks lacks pyroute2."""
    errors = []
    present = params["state"] in PRESENT
    plan = container_network.Plan(params, params["namespace"] or "default") if present \
        else container_network.Plan(dict(name=params["name"]), params["namespace"] or "default")
    errors += plan.errors
    message = identifier_error(params["name"], "container name")
    if message:
        errors.append(message)
    if present and not params["image"]:
        errors.append("image is required with state=%s" % params["state"])
    errors += label_errors(params["labels"])
    for key in params["labels"] or {}:
        if key.startswith(spec.SYSTEM_LABEL_PREFIXES):
            errors.append("label %r is managed by containerd or this collection (use restart_policy, stop_signal, "
                          "stop_timeout): it cannot be set directly" % key)
    for key in params["env"] or {}:
        if not key or "=" in key:
            errors.append("env name %r must not be empty or contain '='" % key)
    for mount in params["mounts"] or []:
        if mount.get("type", "bind") == "bind" and mount.get("source") and not os.path.exists(mount["source"]):
            errors.append("mount source %s does not exist on the host (mount target %s)"
                          % (mount["source"], mount.get("target")))
    if params["network_namespace"]:
        if params["net_host"]:
            errors.append("net_host and network_namespace are mutually exclusive")
        if not os.path.exists(params["network_namespace"]):
            errors.append("network_namespace %s does not exist" % params["network_namespace"])
    if params["stop_timeout"] is not None and params["stop_timeout"] < 0:
        errors.append("stop_timeout must not be negative, got %s" % params["stop_timeout"])
    if params.get("log_path") and not params["log_path"].startswith("/"):
        errors.append("log_path must be an absolute path, got %s" % params["log_path"])
    if params.get("log_path") and "," in params["log_path"]:
        errors.append("log_path must not contain ','")
    if present and params["runtime"]:
        message = runtime_error(params["runtime"], ctr_path)
        if message:
            errors.append(message)
    if present and not errors:
        try:
            spec.desired(params)
        except InvalidContainerOptions as error:
            errors.append(error.message)
    if errors:
        raise InvalidContainerOptions("; ".join(errors))
    if plan:
        container_network.require_pyroute2()
    return plan


def image_for(params, client, run, actions, registry=None, current=None):
    """The image's name, digest and config, pulling it first with pull=missing; None in check mode when
    the pull would happen. ``registry``: the RegistryOptions of that pull (default: ctr's defaults).
    ``current``: the container's record; when it was made from the image's present digest, the config is the
    one the record keeps (no read of the image's config)."""
    reference = params["image"]
    if spec.IMAGE_CONFIG_LABEL in ((current or {}).get("Labels") or {}):
        image = spec.image_from_record(current, reference, client.local_digest(reference))
        if image is not None:
            return image
    image = client.image_for_container(reference)
    if image is not None:
        return image
    if params["pull"] == "never":
        raise ImageNotPresent(
            "image %s is not present in namespace %s: import or pull it first (containerd.runtime.image), or set "
            "pull: missing" % (reference, client.namespace))
    if run.check_mode:
        actions.add("pulled_image", reference)
        return None
    client.pull_image(reference, registry or RegistryOptions())
    image = client.image_for_container(reference)
    if image is None:
        raise ImageNotPresent("image %s is still not present after pulling it" % reference)
    actions.add("pulled_image", reference)
    return image


def remove(client, run, name, current, actions):
    """Stop and delete the task, then the container (and its snapshot). Returns (the task, its stop signal)."""
    stopped_by = None
    task = client.task(name)
    if task is not None:
        if task["status"] in RUNNING:
            stop = actions.add("stopped_task", name)
            if not run.check_mode:
                stopped_by, _seconds = task_control.stop(client, name, current)
                stop["signal"] = stopped_by
        actions.add("deleted_task", name)
        if not run.check_mode:
            task_control.remove_task(client, name)
    actions.add("deleted_container", name)
    if not run.check_mode:
        client.delete_container(name)
    return task, stopped_by


def creation(params, plan, image, owned_labels=None):
    """(the desired spec, the create options) of the container ``params`` describe, made from ``image`` and on
    ``plan``'s networks; the options' labels carry the fingerprint of everything else (``fingerprint.py``)."""
    if plan:
        params = dict(params, network_namespace=plan.netns_path)
    want = spec.desired(params, image)
    options = spec.create_options(want, spec.declared_labels(params))
    if plan:
        options["labels"].update(plan.label())
    options["labels"].update(owned_labels or {})
    options["labels"].update(spec.image_config_label(image))
    options["labels"][fingerprint.LABEL] = fingerprint.of(params["image"], options)
    return want, options


class Converge(object):
    """One container's converge (see module doc); ``registry``: see image_for; ``owned_labels``: labels (of
    the collection's own ``containerd.runtime/`` prefix, so never compared) every created container gets."""

    def __init__(self, params, client, run, plan, commands, registry=None, owned_labels=None):
        self.params = params
        self.client = client
        self.run = run
        self.plan = plan
        self.commands = commands
        self.registry = registry
        self.owned_labels = owned_labels
        self.name = params["name"]
        self.actions = Actions()
        self.differences = Differences()
        self.result = dict(changed=False, differences=[], stopped_by=None)
        self.old_task = None  # the task a re-creation removed
        self.image = None  # the image the container is (re-)created from

    def __call__(self):
        current = self.client.container_info(self.name)
        if self.params["state"] == "absent":
            self.absent(current)
        else:
            current = self.present(current)
        if self.params["state"] in ("running", "stopped"):
            self.converge_task(current)
        if self.run.diff:
            self.result["diff"] = self.differences.diff()
        return Outcome(self.result, self.actions)

    def absent(self, current):
        self.result["container"] = None
        if current is not None:
            self.differences.add("state", "present", "absent")
            _task, self.result["stopped_by"] = remove(self.client, self.run, self.name, current, self.actions)
            self.actions.network(container_network.detach(self.commands, current, self.run.check_mode))
        self.result["changed"] = bool(self.differences)

    def present(self, current):
        """Converge the container toward the options; returns its record (a confirmed one read if need be)."""
        params, plan, differences = self.params, self.plan, self.differences
        missing = self.client.unsupported([feature for feature, option in (("container_user", "user"),
                                                                           ("container_hostname", "hostname"))
                                           if params[option]])
        if missing:
            raise InvalidContainerOptions(missing)
        image = self.image = image_for(params, self.client, self.run, self.actions, self.registry, current)
        want, self.options = creation(params, plan, image, self.owned_labels)
        if plan:
            params = dict(params, network_namespace=plan.netns_path)
        confirmed = fingerprint.confirmed(current)
        if confirmed is not None and confirmed != self.options["labels"][fingerprint.LABEL]:
            # not the container the batch confirmed it for after all: read it, and start over from its record
            current = self.client.unconfirm(self.name)
            confirmed = None
            image = self.image = image_for(self.params, self.client, self.run, self.actions, self.registry, current)
            want, self.options = creation(self.params, plan, image, self.owned_labels)
        self.result["interfaces"] = []
        network_changed = False
        if current is None:
            differences.add("state", "absent", "present")
            self.refuse_creation()
            if plan:
                network_changed = self.attach()
            self.actions.add("created_container", self.name)
            if not self.run.check_mode:
                self.create()
        else:
            if confirmed is None:  # a confirmed container was created from these very options
                spec.compare(differences, want, spec.actual(current), spec.Baseline(params, image))
            have_net, want_net = container_network.actual(current), plan.compared()
            for key in ("networks", "ports"):
                differences.compare(key, have_net[key], want_net[key])
            self.result["differences"] = list(differences.names)
            if params["recreate"] and not differences:
                differences.add("recreate", False, True)
            if differences:
                self.refuse_creation()  # before the old container is removed, in check mode too
                if have_net != want_net:
                    self.actions.network(container_network.detach(self.commands, current, self.run.check_mode))
                network_changed = self.recreate(current)
            elif plan:
                network_changed = self.attach()
        self.result["container"] = spec.view(want, self.name)
        self.result["container"].update(plan.compared())
        self.result["changed"] = bool(differences) or network_changed
        return current

    def refuse_creation(self):
        """InvalidContainerOptions when this ctr cannot be given the create options (``create_refusal``)."""
        refusal = self.client.create_refusal(self.options)
        if refusal:
            raise InvalidContainerOptions(refusal)

    def converge_task(self, current):
        """state running / stopped: the task after the container (see module doc); its status goes to the diff."""
        name, state, check = self.name, self.params["state"], self.run.check_mode
        if self.actions.did("created_container"):
            before = task_converge.status_of(self.old_task)
            if state == "stopped":
                after = None  # a new container has no task; a re-creation stopped and deleted the old one
            elif check:
                if not self.actions.did("started_task"):
                    self.actions.add("started_task", name)
                after = {"name": name, "pid": None, "status": "running"}
            else:
                after = self.task_step(None)[1]
        else:
            before, after = self.task_step(current)
        self.result["task"] = after
        self.differences.compare("task", before, task_converge.status_of(after))

    def task_step(self, record):
        """The task module's converge toward the state; (the task's status before, the task after)."""
        params = dict(name=self.name, state=self.params["state"], log_path=self.params.get("log_path"), signal=None,
                      stop_timeout=None)
        task = task_converge.converge(params, self.client, RunContext(self.run.check_mode, diff=True), self.commands,
                                      record=record)
        self.actions.extend(task.actions)
        self.result["changed"] = self.result["changed"] or bool(task.actions)
        if task.result["stopped_by"]:
            self.result["stopped_by"] = task.result["stopped_by"]
        after = task.result["task"]
        return task.result["diff"]["before"].get("status", task_converge.status_of(after)), after

    def attach(self):
        """Attach the plan's networks; whether an attachment changed (the interfaces go to the result)."""
        changed, self.result["interfaces"], lines = container_network.attach_plan(
            self.commands, self.plan, self.run.check_mode)
        self.actions.network(lines)
        return changed

    def create(self):
        """Create the container; when that fails, a netns attached for it is detached and removed again."""
        options = self.options
        try:
            self.client.create_container(self.name, self.params["image"], options)
        except CollectionError:
            if self.plan:
                try:
                    container_network.detach(self.commands, {"Labels": options["labels"]}, False)
                except CniError:
                    pass
            raise

    def recreate(self, current):
        """Re-create the container; a running or paused task is stopped first and brought back after.

        Returns whether an attachment changed."""
        name, client = self.name, self.client
        task, self.result["stopped_by"] = remove(client, self.run, name, current, self.actions)
        self.old_task = task
        network_changed = self.attach() if self.plan else False
        self.actions.add("created_container", name)
        restart = task is not None and task["status"] in RUNNING and self.params["state"] != "stopped"
        if self.run.check_mode:
            if restart:
                self.actions.add("started_task", name)
            return network_changed
        self.create()
        if not restart:
            return network_changed
        record = client.container_info(name)
        log_uri = (current.get("Labels") or {}).get(spec.LOG_URI_LABEL)
        task_control.start(client, name, record, log_uri)
        self.actions.add("started_task", name)
        if task["status"] != "running" and self.params["state"] != "running":
            client.pause_task(name)
            self.actions.add("paused_task", name)
        return network_changed


def converge(params, client, run, plan, commands, registry=None, owned_labels=None):
    """Converge the container ``params`` describe; returns an Outcome (see Converge)."""
    return Converge(params, client, run, plan, commands, registry, owned_labels)()
