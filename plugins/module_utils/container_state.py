# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converging one container: the logic of the ``container`` module, shared with the ``workloads`` module.

``module`` is the AnsibleModule of the ``container`` module, or an object with the same ``params`` (every
option of ``container``), ``check_mode``, ``_diff``, ``fail_json`` and ``get_bin_path`` (``workloads``
passes one per entry).
"""

from __future__ import annotations

import os

from ansible_collections.containerd.runtime.plugins.module_utils import cni
from ansible_collections.containerd.runtime.plugins.module_utils import container_network
from ansible_collections.containerd.runtime.plugins.module_utils import container_spec as spec
from ansible_collections.containerd.runtime.plugins.module_utils import task_control
from ansible_collections.containerd.runtime.plugins.module_utils.client_images import RegistryOptions
from ansible_collections.containerd.runtime.plugins.module_utils.common import ctr_path_of
from ansible_collections.containerd.runtime.plugins.module_utils.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils.errors import ContainerdError
from ansible_collections.containerd.runtime.plugins.module_utils.identifiers import identifier_error, label_errors

SHIM_DIRS = ["/usr/local/bin", "/usr/bin", "/usr/local/sbin", "/usr/sbin"]
RUNNING = ("running", "paused", "pausing")


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


def validate(module):
    """Check the parameters before anything runs; return the network plan (container_network.Plan)."""
    params = module.params
    errors = []
    plan = container_network.Plan(params, params["namespace"] or "default") if params["state"] == "present" \
        else container_network.Plan(dict(name=params["name"]), params["namespace"] or "default")
    errors += plan.errors
    message = identifier_error(params["name"], "container name")
    if message:
        errors.append(message)
    if params["state"] == "present" and not params["image"]:
        errors.append("image is required with state=present")
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
    if params["state"] == "present" and params["runtime"]:
        message = runtime_error(params["runtime"], ctr_path_of(module))
        if message:
            errors.append(message)
    if params["state"] == "present" and not errors:
        try:
            spec.desired(params)
        except spec.InvalidContainerSpec as error:
            errors.append(error.message)
    if errors:
        module.fail_json(msg="; ".join(errors))
    if plan:
        cni.require_pyroute2(module)
    return plan


def image_for(module, client, registry=None):
    """The image's name, digest and config, pulling it first with pull=missing; None in check mode when
    the pull would happen. ``registry``: the RegistryOptions of that pull (default: ctr's defaults)."""
    reference = module.params["image"]
    image = client.image_for_container(reference)
    if image is not None:
        return image, []
    if module.params["pull"] == "never":
        raise spec.InvalidContainerSpec(
            "image %s is not present in namespace %s: import or pull it first (containerd.runtime.image), or set "
            "pull: missing" % (reference, client.namespace))
    pull = getattr(client, "pull_image", None)
    if pull is None:
        raise spec.InvalidContainerSpec(
            "image %s is not present in namespace %s, and pull: missing is not available in this version of the "
            "collection yet: pull it first (containerd.runtime.image or ctr images pull)"
            % (reference, client.namespace))
    if module.check_mode:
        return None, ["pulled image %s" % reference]
    pull(reference, registry or RegistryOptions())
    image = client.image_for_container(reference)
    if image is None:
        raise spec.InvalidContainerSpec("image %s is still not present after pulling it" % reference)
    return image, ["pulled image %s" % reference]


def remove(module, client, name, current, actions):
    """Stop and delete the task, then the container (and its snapshot)."""
    stopped_by = None
    task = client.task(name)
    if task is not None:
        if task["status"] in RUNNING:
            actions.append("stopped task %s" % name)
            if not module.check_mode:
                stopped_by, _seconds = task_control.stop(client, name, current)
                actions[-1] += " with %s" % stopped_by
        actions.append("deleted task %s" % name)
        if not module.check_mode:
            task_control.remove_task(client, name)
    actions.append("deleted container %s" % name)
    if not module.check_mode:
        client.delete_container(name)
    return task, stopped_by


def create_options(want, plan, declared_labels, owned_labels=None):
    options = spec.create_options(want, declared_labels)
    if plan:
        options["labels"].update(plan.label())
    options["labels"].update(owned_labels or {})
    return options


def converge(module, client, plan, registry=None, owned_labels=None):
    """Converge the container ``module.params`` describe. ``registry``: see image_for; ``owned_labels``: labels
    (of the collection's own ``containerd.runtime/`` prefix, so never compared) every created container gets."""
    params = module.params
    name = params["name"]
    current = client.container_info(name)
    differences = Differences()
    actions = []
    result = dict(changed=False, differences=[], actions=actions, stopped_by=None)

    if params["state"] == "absent":
        result["container"] = None
        if current is not None:
            differences.add("state", "present", "absent")
            _task, result["stopped_by"] = remove(module, client, name, current, actions)
            actions += container_network.detach(module, current, module.check_mode)
        result["changed"] = bool(differences)
        if module._diff:
            result["diff"] = differences.diff()
        return result

    if (params["user"] or params["hostname"]) and client.ctr_version < (1, 7):
        raise spec.InvalidContainerSpec("user and hostname need containerd 1.7 or later: ctr %s cannot set them"
                                        % ".".join(str(part) for part in client.ctr_version))
    image, pull_actions = image_for(module, client, registry)
    if plan:
        params["network_namespace"] = plan.netns_path
    want = spec.desired(params, image)
    actions += pull_actions
    result["interfaces"] = []
    network_changed = False
    if current is None:
        differences.add("state", "absent", "present")
        if plan:
            network_changed, result["interfaces"], more = container_network.attach_plan(module, plan)
            actions += more
        actions.append("created container %s" % name)
        if not module.check_mode:
            create(module, client, name, want, plan, owned_labels)
    else:
        have = spec.actual(current)
        spec.compare(differences, want, have, spec.Baseline(params, image))
        have_net, want_net = container_network.actual(current), plan.compared()
        for key in ("networks", "ports"):
            differences.compare(key, have_net[key], want_net[key])
        result["differences"] = list(differences.names)
        if params["recreate"] and not differences:
            differences.add("recreate", False, True)
        if differences:
            if have_net != want_net:
                actions += container_network.detach(module, current, module.check_mode)
            network_changed, result["interfaces"] = recreate(module, client, name, current, want, actions, result,
                                                             plan, owned_labels)
        elif plan:
            network_changed, result["interfaces"], more = container_network.attach_plan(module, plan)
            actions += more
    result["container"] = spec.view(want, name)
    result["container"].update(plan.compared())
    result["changed"] = bool(differences) or network_changed
    if module._diff:
        result["diff"] = differences.diff()
    return result


def create(module, client, name, want, plan, owned_labels=None):
    """Create the container; when that fails, a netns attached for it is detached and removed again."""
    options = create_options(want, plan, spec.declared_labels(module.params), owned_labels)
    try:
        client.create_container(name, module.params["image"], options)
    except ContainerdError:
        if plan:
            try:
                container_network.detach(module, {"Labels": options["labels"]}, False)
            except cni.CniError:
                pass
        raise


def recreate(module, client, name, current, want, actions, result, plan, owned_labels=None):
    """Re-create the container; a running or paused task is stopped first and brought back after.

    Returns (whether an attachment changed, the interfaces)."""
    task, result["stopped_by"] = remove(module, client, name, current, actions)
    network_changed, interfaces = False, []
    if plan:
        network_changed, interfaces, more = container_network.attach_plan(module, plan)
        actions += more
    actions.append("created container %s" % name)
    if module.check_mode:
        if task is not None and task["status"] in RUNNING:
            actions.append("started task %s" % name)
        return network_changed, interfaces
    create(module, client, name, want, plan, owned_labels)
    if task is None or task["status"] not in RUNNING:
        return network_changed, interfaces
    record = client.container_info(name)
    log_uri = (current.get("Labels") or {}).get(spec.LOG_URI_LABEL)
    task_control.start(client, name, record, log_uri)
    actions.append("started task %s" % name)
    if task["status"] != "running":
        client.pause_task(name)
        actions.append("paused task %s" % name)
    return network_changed, interfaces
