# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``workloads`` module's logic: converge a host's whole list of workloads in one call.

Each entry runs through the same code as the ``container`` and ``task`` modules (``container_state``,
``task_state``), with an ``EntryModule`` standing in for their AnsibleModule and a ``NamespaceClient``
serving the reads that ``prefetch`` did in bulk and concurrently.

Order: every entry is validated first (nothing runs when one is bad); then the reads; then the entries are
converged one after another, each waiting for its health check when the run started it; then pruning. The
first entry that fails stops the run with a message naming it; the entries before it stay converged.
"""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._container import converge as container_state
from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_converge as task_state
from ansible_collections.containerd.runtime.plugins.module_utils._workloads import health
from ansible_collections.containerd.runtime.plugins.module_utils._workloads import entries as wspec
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import SubprocessRunner
from ansible_collections.containerd.runtime.plugins.module_utils._common.module import connection_errors, ctr_path_of
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error
from ansible_collections.containerd.runtime.plugins.module_utils._image.registry_options import (
    registry_client,
    registry_options,
)
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.read_cache import namespace_client, prefetch

OWNED_LABELS = {wspec.MANAGED_LABEL: wspec.MANAGED_VALUE}


class EntryFailed(Exception):
    """``fail_json`` of an EntryModule: the shared code refused an entry."""

    def __init__(self, msg, **details):
        super(EntryFailed, self).__init__(msg)
        self.message = msg
        self.details = details


class EntryModule(object):
    """What the shared converge code needs of its AnsibleModule, for one entry: ``params`` of the container
    (or task) module, the real module's check and diff mode, ``fail_json`` raising EntryFailed; everything else
    (``get_bin_path``, ``run_command`` for CNI plugins) is the real module's."""

    def __init__(self, module, params):
        self._module = module
        self.params = params
        self.check_mode = module.check_mode
        self._diff = module._diff  # pylint: disable=protected-access

    def fail_json(self, msg, **details):
        raise EntryFailed(msg, **details)

    def __getattr__(self, name):
        return getattr(self._module, name)


class Batch(object):
    """One run of the module. ``runner``: runs ctr (default SubprocessRunner, safe from threads)."""

    def __init__(self, module, runner=None, registry_client=None, sleep=None):
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.runner = runner or SubprocessRunner()
        self.registry_client = registry_client
        self.sleep = sleep
        self.entries = []
        self.plans = []
        self.results = []
        self.pruned = []
        self.diff = {"before": {}, "after": {}}

    # ---- validation -----------------------------------------------------------------------------------

    def validate(self):
        """Check the options and every entry; fail the module (naming each entry) before anything runs."""
        params = self.params
        errors = connection_errors(params)
        if params["parallel"] < 1:
            errors.append("parallel must be at least 1, got %s" % params["parallel"])
        for namespace in params["prune_namespaces"] or []:
            message = identifier_error(namespace, "prune_namespaces entry")
            if message:
                errors.append(message)
        entries = []
        for index, raw in enumerate(params["workloads"] or []):
            entry, more = wspec.normalize_entry(index, raw, params["namespace"])
            entries.append(entry)
            errors += more
            if entry is None or more:
                self.plans.append(None)
                continue
            try:
                self.plans.append(container_state.validate(EntryModule(self.module, self.container_params(entry))))
            except EntryFailed as error:
                self.plans.append(None)
                errors.append("%s: %s" % (wspec.label(index, entry), error.message))
        errors += wspec.duplicate_errors(entries)
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)
        self.entries = entries

    def container_params(self, entry):
        return wspec.container_params(entry, self.params)

    def registry(self):
        return registry_options(self.params)

    # ---- the run --------------------------------------------------------------------------------------

    def run(self):
        self.validate()
        params = self.params
        ctr_path = ctr_path_of(self.module)
        namespaces = [entry["namespace"] for entry in self.entries]
        if params["prune"]:
            namespaces += list(params["prune_namespaces"] or [])
        self.clients = dict((namespace, namespace_client(params, ctr_path, namespace, self.runner))
                            for namespace in namespaces)
        images = {}
        for entry in self.entries:
            if entry["state"] != "absent":
                images.setdefault(entry["namespace"], []).append(entry["image"])
        try:
            listing = prefetch(self.clients, [(entry["namespace"], entry["name"]) for entry in self.entries], images,
                               set(namespaces) if params["prune"] else set(), params["parallel"])
        except CollectionError as error:
            self.fail(error.message, error.details())
        for index, entry in enumerate(self.entries):
            try:
                self.results.append(self.converge(entry, self.plans[index]))
            except (CollectionError, EntryFailed, wspec.EntryError) as error:
                details = error.details() if isinstance(error, CollectionError) else dict(error.details)
                self.fail("%s: %s" % (wspec.label(index, entry), error.message), details)
        if params["prune"]:
            self.prune(listing)
        return self.result()

    def result(self):
        result = dict(changed=any(item["changed"] for item in self.results) or bool(self.pruned),
                      workloads=self.results, pruned=self.pruned)
        if self.module._diff:  # pylint: disable=protected-access
            result["diff"] = self.diff
        return result

    def fail(self, message, details=None):
        result = self.result()
        result.update(details or {})
        self.module.fail_json(msg=message, **result)

    # ---- one entry ------------------------------------------------------------------------------------

    def converge(self, entry, plan):
        name, namespace, state = entry["name"], entry["namespace"], entry["state"]
        client = self.clients[namespace]
        actions = []
        before, after = {}, {}
        if state != "absent" and entry["pull"] == "always":
            actions += self.pull(client, entry["image"])
        record = client.container_info(name)
        task_result = None
        if state == "stopped" and record is not None:
            # stop first, so that a re-created container's task is not started again
            stop = task_state.converge(self.task_module(entry, "stopped"), client)
            actions += stop["actions"]
            self.merge_diff(stop, before, after)
            if self.check and stop["actions"]:
                client.predict_task(name, "stopped")
        cparams = self.container_params(entry)
        result = container_state.converge(EntryModule(self.module, cparams), client, plan, self.registry(),
                                          OWNED_LABELS)
        actions += result["actions"]
        self.merge_diff(result, before, after)
        created = any(action.startswith("created container") for action in result["actions"])
        if state == "running":
            if record is None and self.check:
                actions.append("started task %s" % name)
                before.setdefault("status", "absent")
                after["status"] = "running"
            else:
                task_result = task_state.converge(self.task_module(entry, "running"), client)
        if task_result is not None:
            actions += task_result["actions"]
            self.merge_diff(task_result, before, after)
        if state != "absent" and record is not None and not created and \
                (record.get("Labels") or {}).get(wspec.MANAGED_LABEL) != wspec.MANAGED_VALUE:
            actions.append("marked container %s as managed by workloads" % name)
            if not self.check:
                client.label_container(name, OWNED_LABELS)
        started = state == "running" and any(action.startswith("started task") for action in actions)
        healthy = None
        if started and entry["healthcheck"] and self.params["wait_healthy"] and not self.check:
            healthy = self.wait_healthy(entry, client, result.get("interfaces"))
        key = name if sum(1 for item in self.entries if item["name"] == name) == 1 else "%s/%s" % (namespace, name)
        self.diff["before"][key] = before
        self.diff["after"][key] = after
        return dict(name=name, namespace=namespace, state=state, changed=bool(actions), actions=actions,
                    differences=result["differences"], healthy=healthy, container=result["container"],
                    interfaces=result.get("interfaces") or [])

    def task_module(self, entry, state):
        return EntryModule(self.module, wspec.task_params(entry, self.params, state))

    @staticmethod
    def merge_diff(result, before, after):
        diff = result.get("diff") or {}
        before.update(diff.get("before") or {})
        after.update(diff.get("after") or {})

    def pull(self, client, image):
        """pull: always — pull (or, in check mode, ask the registry); the actions when the image moved."""
        local = client.local_digest(image)
        if self.check:
            if local is None:
                return []  # pull: missing's prediction covers it
            registry = self.registry_client or registry_client(self.registry(), self.params["timeout"])
            remote = registry.digest(reference.parse(image))
            if remote is None:
                raise wspec.EntryError("image %s was not found in its registry" % image)
            if remote == local:
                return []
            client.predict_digest(image, remote)
            return ["pulled image %s" % image]
        client.pull_image(image, self.registry())
        now = client.local_digest(image)
        if now == local:
            return []
        return ["pulled image %s" % image]

    def wait_healthy(self, entry, client, interfaces):
        check = entry["healthcheck"]
        probe = health.probe_for(check, client.client, entry["name"], interfaces)
        kwargs = {"sleep": self.sleep} if self.sleep else {}
        healthy, attempts, last = health.wait(check, probe, **kwargs)
        if not healthy:
            raise wspec.EntryError("workload %s did not become healthy: %s failed %d time%s, last error: %s" % (
                entry["name"], health.describe(dict(check, host=health.tcp_host(check, interfaces))
                                               if check.get("tcp_port") else check),
                attempts, "" if attempts == 1 else "s", last))
        return True

    # ---- prune ----------------------------------------------------------------------------------------

    def prune(self, listing):
        declared = set((entry["namespace"], entry["name"]) for entry in self.entries)
        for namespace in sorted(listing):
            client = self.clients[namespace]
            for name in sorted(listing[namespace]):
                if (namespace, name) in declared:
                    continue
                record = client.container_info(name)
                if record is None or (record.get("Labels") or {}).get(wspec.MANAGED_LABEL) != wspec.MANAGED_VALUE:
                    continue
                params = {"address": self.params["address"], "namespace": namespace, "ctr_path": self.params["ctr_path"],
                          "timeout": self.params["timeout"], "name": name, "state": "absent"}
                params = dict(wspec.container_params(dict((key, None) for key in wspec.ENTRY_KEYS), self.params),
                              **params)
                try:
                    entry_module = EntryModule(self.module, params)
                    plan = container_state.validate(entry_module)
                    container_state.converge(entry_module, client, plan)
                except (CollectionError, EntryFailed) as error:
                    details = error.details() if isinstance(error, CollectionError) else dict(error.details)
                    self.fail("prune of container %s in namespace %s: %s" % (name, namespace, error.message), details)
                self.pruned.append({"name": name, "namespace": namespace})
                self.diff["before"]["%s/%s" % (namespace, name)] = {"state": "present"}
                self.diff["after"]["%s/%s" % (namespace, name)] = {"state": "absent"}
