# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``workloads`` module's logic: converge a host's whole list of workloads in one call.

Each entry runs through the same code as the ``container`` and ``task`` modules (``_container/converge.py``,
``_container/task_converge.py``), with the container and task parameters ``_container/options.py`` derives from
the entry, and a ``NamespaceClient`` serving the reads that ``prefetch`` did in bulk and concurrently.

Order: every entry is validated first (nothing runs when one is bad); then the reads; then the entries are
converged one after another, each waiting for its health check when the run started it; then pruning. The
first entry that fails stops the run with a WorkloadFailed naming it (its ``details()`` carry the results so
far); the entries before it stay converged.
"""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._container import converge as container_converge
from ansible_collections.containerd.runtime.plugins.module_utils._container import fingerprint
from ansible_collections.containerd.runtime.plugins.module_utils._container import options
from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
from ansible_collections.containerd.runtime.plugins.module_utils._container import task_converge
from ansible_collections.containerd.runtime.plugins.module_utils._container.actions import Actions
from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._workloads import health
from ansible_collections.containerd.runtime.plugins.module_utils._workloads import entries as wspec
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import SubprocessRunner
from ansible_collections.containerd.runtime.plugins.module_utils._common.module import connection_errors
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CollectionError,
    InvalidContainerOptions,
    WorkloadFailed,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error
from ansible_collections.containerd.runtime.plugins.module_utils._image.registry_options import (
    registry_client,
    registry_options,
)
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.read_cache import namespace_client, prefetch

OWNED_LABELS = {wspec.MANAGED_LABEL: wspec.MANAGED_VALUE}


class Batch(object):
    """One run of the module: ``params`` (the module's parameters, never changed), ``run`` (RunContext),
    ``ctr_path`` (the ctr in use), ``commands`` (runs CNI plugins, see _container/network.py); ``runner``: runs
    ctr (default SubprocessRunner, safe from threads)."""

    def __init__(self, params, run, ctr_path, commands=None, runner=None, registry_client=None, sleep=None):
        self.params = params
        self.run_context = run
        self.check = run.check_mode
        self.ctr_path = ctr_path
        self.commands = commands
        self.runner = runner or SubprocessRunner()
        self.registry_client = registry_client
        self.sleep = sleep
        self.clients = {}
        self.entries = []
        self.plans = []
        self.results = []
        self.pruned = []
        self.diff = {"before": {}, "after": {}}

    # ---- validation -----------------------------------------------------------------------------------

    def validate(self):
        """Check the options and every entry before anything runs: InvalidContainerOptions naming each entry."""
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
                self.plans.append(container_converge.validate(self.container_params(entry), self.ctr_path))
            except CollectionError as error:
                self.plans.append(None)
                errors.append("%s: %s" % (wspec.label(index, entry), error.message))
        errors += wspec.duplicate_errors(entries)
        if errors:
            raise InvalidContainerOptions("; ".join(errors), extra={"errors": errors})
        self.entries = entries

    def container_params(self, entry):
        return options.container_params(entry, self.params)

    def registry(self):
        return registry_options(self.params)

    # ---- the run --------------------------------------------------------------------------------------

    def run(self):
        """Converge every entry; the module's result, or WorkloadFailed (InvalidContainerOptions for bad input)."""
        self.validate()
        params = self.params
        namespaces = [entry["namespace"] for entry in self.entries]
        if params["prune"]:
            namespaces += list(params["prune_namespaces"] or [])
        self.clients = dict((namespace, namespace_client(params, self.ctr_path, namespace, self.runner))
                            for namespace in namespaces)
        images = {}
        for entry in self.entries:
            if entry["state"] != "absent":
                images.setdefault(entry["namespace"], []).append(entry["image"])
        try:
            listing = prefetch(self.clients, [(entry["namespace"], entry["name"]) for entry in self.entries], images,
                               set(namespaces) if params["prune"] else set(), params["parallel"], self.candidates)
        except CollectionError as error:
            raise self.failed(error.message, error)
        for index, entry in enumerate(self.entries):
            try:
                self.results.append(self.converge(entry, self.plans[index]))
            except CollectionError as error:
                raise self.failed("%s: %s" % (wspec.label(index, entry), error.message), error)
        if params["prune"]:
            self.prune(listing)
        return self.result()

    def candidates(self):
        """The containers a filtered listing may confirm instead of a read of each record (``_container/
        fingerprint.py``), as ``prefetch`` takes them: {namespace: {name: (filter, record)}}. Only entries whose
        converge needs no more of the record than its labels as created: state present, or running with the
        task running; no restart policy (the monitor changes its labels), no pull: always, no recreate."""
        found = {}
        for index, entry in enumerate(self.entries):
            if entry["state"] not in ("present", "running") or entry["pull"] == "always":
                continue
            params, client = self.container_params(entry), self.clients[entry["namespace"]]
            task = client.task(entry["name"])
            image = client.image_for_container(entry["image"])
            if params["recreate"] or image is None or \
                    (entry["state"] == "running" and (task or {}).get("status") != "running"):
                continue
            try:
                _want, created = container_converge.creation(params, self.plans[index], image, OWNED_LABELS)
            except CollectionError:
                continue  # the entry's converge tells what is wrong
            labels = created["labels"]
            selector = fingerprint.selector(entry["name"], labels, spec.declared_labels(params))
            if selector is None or spec.RESTART_POLICY_LABEL in labels:
                continue
            found.setdefault(entry["namespace"], {})[entry["name"]] = (
                selector, fingerprint.confirmed_record(entry["name"], entry["image"], labels))
        return found

    def result(self):
        result = dict(changed=any(item["changed"] for item in self.results) or bool(self.pruned),
                      workloads=self.results, pruned=self.pruned)
        if self.run_context.diff:
            result["diff"] = self.diff
        return result

    def failed(self, message, cause):
        """The WorkloadFailed to raise: ``message``, the results so far, and what ``cause`` tells (its command)."""
        return WorkloadFailed(message, extra=dict(self.result(), **cause.details()))

    # ---- one entry ------------------------------------------------------------------------------------

    def converge(self, entry, plan):
        name, namespace, state = entry["name"], entry["namespace"], entry["state"]
        client = self.clients[namespace]
        actions = Actions()
        before, after = {}, {}
        if state != "absent" and entry["pull"] == "always":
            self.pull(client, entry["image"], actions)
        record = client.container_info(name)
        if state == "stopped" and record is not None:
            # stop first, so that a re-created container's task is not started again
            stop = self.task(entry, "stopped", client)
            actions.extend(stop.actions)
            self.merge_diff(stop.result, before, after)
            if self.check and stop.actions:
                client.predict_task(name, "stopped")
        container = container_converge.converge(self.container_params(entry), client, self.run_context, plan,
                                                self.commands, self.registry(), OWNED_LABELS)
        actions.extend(container.actions)
        self.merge_diff(container.result, before, after)
        if state == "running":
            if record is None and self.check:
                actions.add("started_task", name)
                before.setdefault("status", "absent")
                after["status"] = "running"
            else:
                task = self.task(entry, "running", client)
                actions.extend(task.actions)
                self.merge_diff(task.result, before, after)
        if state != "absent" and record is not None and not container.created and \
                (record.get("Labels") or {}).get(wspec.MANAGED_LABEL) != wspec.MANAGED_VALUE:
            actions.add("marked_managed", name)
            if not self.check:
                client.label_container(name, OWNED_LABELS)
        healthy = None
        if state == "running" and actions.did("started_task") and entry["healthcheck"] and \
                self.params["wait_healthy"] and not self.check:
            healthy = self.wait_healthy(entry, client, container.result.get("interfaces"))
        key = name if sum(1 for item in self.entries if item["name"] == name) == 1 else "%s/%s" % (namespace, name)
        self.diff["before"][key] = before
        self.diff["after"][key] = after
        return dict(name=name, namespace=namespace, state=state, changed=bool(actions), actions=actions.lines(),
                    differences=container.result["differences"], healthy=healthy,
                    container=container.result["container"], interfaces=container.result.get("interfaces") or [])

    def task(self, entry, state, client):
        """The task converge of an entry's task toward ``state`` (an Outcome)."""
        params = wspec.task_params(entry, self.params, state)
        return task_converge.converge(params, client, self.run_context, self.commands)

    @staticmethod
    def merge_diff(result, before, after):
        diff = result.get("diff") or {}
        before.update(diff.get("before") or {})
        after.update(diff.get("after") or {})

    def pull(self, client, image, actions):
        """pull: always — pull (or, in check mode, ask the registry); records the pull when the image moved."""
        local = client.local_digest(image)
        if self.check:
            if local is None:
                return  # pull: missing's prediction covers it
            registry = self.registry_client or registry_client(self.registry(), self.params["timeout"])
            remote = registry.digest(reference.parse(image))
            if remote is None:
                raise WorkloadFailed("image %s was not found in its registry" % image)
            if remote != local:
                client.predict_digest(image, remote)
                actions.add("pulled_image", image)
            return
        client.pull_image(image, self.registry())
        if client.local_digest(image) != local:
            actions.add("pulled_image", image)

    def wait_healthy(self, entry, client, interfaces):
        check = entry["healthcheck"]
        probe = health.probe_for(check, client.client, entry["name"], interfaces)
        kwargs = {"sleep": self.sleep} if self.sleep else {}
        healthy, attempts, last = health.wait(check, probe, **kwargs)
        if not healthy:
            raise WorkloadFailed("workload %s did not become healthy: %s failed %d time%s, last error: %s" % (
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
                params = options.container_params(dict(name=name, namespace=namespace, state="absent"), self.params)
                try:
                    plan = container_converge.validate(params, self.ctr_path)
                    container_converge.converge(params, client, self.run_context, plan, self.commands)
                except CollectionError as error:
                    raise self.failed("prune of container %s in namespace %s: %s" % (name, namespace, error.message),
                                      error)
                self.pruned.append({"name": name, "namespace": namespace})
                self.diff["before"]["%s/%s" % (namespace, name)] = {"state": "present"}
                self.diff["after"]["%s/%s" % (namespace, name)] = {"state": "absent"}
