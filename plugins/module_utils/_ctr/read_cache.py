# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bulk, concurrent reads for the ``workloads`` module.

``NamespaceClient`` is the client of one namespace that the shared converge code (``_container/converge.py``,
``_container/task_converge.py``, ``_container/task_control.py``) gets in the batch. It has exactly the methods
that code calls: the reads (``container_info``, ``task``, ``image_for_container``, ``local_digest``) answered
from reads done once for the whole batch — one ``images ls`` and one ``tasks ls`` per namespace, one config per
image, one filtered ``containers ls`` per namespace that confirms the containers whose records need no reading
(``confirm``, ``_container/fingerprint.py``), one ``containers info`` per other container — which ``prefetch``
runs concurrently; and the writes,
each passed to the real client and then forgetting what it changed, so that the next read of it is a real one.
A client method the converge code starts to call must be added here on purpose (with what it invalidates).

In check mode nothing is written, so the converge code's later reads see the state before the run; ``predict_task``
lets the caller record a predicted task status (a stop it would do) for the steps that follow.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError


def _copy(value):
    """A copy the caller may change: the records and configs come from JSON, and a JSON round trip copies them
    several times faster than ``copy.deepcopy`` (a no-op batch of 100 containers spent 0.18 s in deepcopy)."""
    return json.loads(json.dumps(value))


def namespace_client(params, ctr_path, namespace, runner):
    """A CtrClient for ``namespace`` with the module's connection options (one per namespace)."""
    return NamespaceClient(CtrClient(ctr_path, address=params["address"], namespace=namespace,
                                     timeout=params["timeout"], runner=runner))


class NamespaceClient(object):
    """A CtrClient of one namespace whose reads are served from the batch's bulk reads (see module doc)."""

    def __init__(self, client):
        self.client = client
        self.namespace = client.namespace
        self._lock = threading.Lock()
        self._lists = {}  # "images" / "tasks" -> {name: row}
        self._configs = {}  # image config digest -> config
        self._records = {}  # container name -> record (None when there is no such container)

    def forget(self, record=None, tasks=False, images=False):
        """Drop what was read: the record of container ``record``, the task list, the image list."""
        with self._lock:
            self._records.pop(record, None)
            if tasks:
                self._lists.pop("tasks", None)
            if images:
                self._lists.pop("images", None)

    # ---- what the client answers as is ------------------------------------------------------------------

    def unsupported(self, features):
        return self.client.unsupported(features)

    def create_refusal(self, options):
        return self.client.create_refusal(options)

    # ---- writes: each forgets what it changes ------------------------------------------------------------

    def _write(self, call, record=None, tasks=False, images=False):
        """Run the write ``call()`` on the real client, then forget what it changed (also when it failed)."""
        try:
            return call()
        finally:
            self.forget(record, tasks, images)

    def create_container(self, name, image, options):
        return self._write(lambda: self.client.create_container(name, image, options), record=name)

    def label_container(self, name, labels):
        return self._write(lambda: self.client.label_container(name, labels), record=name)

    def delete_container(self, name):
        return self._write(lambda: self.client.delete_container(name), record=name, tasks=True)

    def start_task(self, name, log_uri=None):
        return self._write(lambda: self.client.start_task(name, log_uri), tasks=True)

    def pause_task(self, name):
        return self._write(lambda: self.client.pause_task(name), tasks=True)

    def resume_task(self, name):
        return self._write(lambda: self.client.resume_task(name), tasks=True)

    def stop_task(self, name, signal, timeout):
        return self._write(lambda: self.client.stop_task(name, signal, timeout), tasks=True)

    def delete_task(self, name):
        return self._write(lambda: self.client.delete_task(name), tasks=True)

    def pull_image(self, reference, registry):
        return self._write(lambda: self.client.pull_image(reference, registry), images=True)

    # ---- bulk reads -----------------------------------------------------------------------------------

    def _read_once(self, cache, key, read):
        """``cache[key]``, read with ``read()`` the first time; reads run outside the lock, so in parallel."""
        with self._lock:
            if key in cache:
                return cache[key]
        value = read()
        with self._lock:
            cache[key] = value
        return value

    def load_images(self):
        return self._read_once(self._lists, "images",
                               lambda: dict((image["name"], image) for image in self.client.images()))

    def load_tasks(self):
        return self._read_once(self._lists, "tasks", lambda: dict((task["name"], task) for task in self.client.tasks()))

    def load_config(self, digest):
        return self._read_once(self._configs, digest, lambda: self.client.image_config(digest))

    def load_record(self, name):
        return self._read_once(self._records, name, lambda: self.client.container_info(name))

    def confirm(self, candidates):
        """Confirm containers with one filtered listing instead of reading their records (``_container/
        fingerprint.py``): ``candidates`` maps a name to (its filter, the record that stands for it when the
        filter matches). The confirmed names get that record; the others are read as usual. A listing that
        fails confirms nothing (the reads then tell what is wrong)."""
        if not candidates:
            return
        try:
            matched = set(self.client.containers_matching([candidates[name][0] for name in sorted(candidates)]))
        except CollectionError:
            return
        with self._lock:
            for name in matched & set(candidates):
                self._records.setdefault(name, candidates[name][1])

    def unconfirm(self, name):
        """The real record of a container a listing confirmed, when the converge code finds it was confirmed for
        other options than it now computes (it reads it once more)."""
        self.forget(record=name)
        return self.container_info(name)

    # ---- the reads the converge code does ---------------------------------------------------------------

    def container_info(self, name):
        return _copy(self.load_record(name))

    def task(self, name):
        task = self.load_tasks().get(name)
        return dict(task) if task else None

    def image_for_container(self, reference):
        image = self.load_images().get(reference)
        if image is None:
            return None
        return {"name": reference, "digest": image["digest"], "config": _copy(self.load_config(image["digest"]))}

    def local_digest(self, reference):
        image = self.load_images().get(reference)
        return image["digest"] if image else None

    def predict_task(self, name, status):
        """Check mode: the steps after a predicted stop see the task as ``status``."""
        tasks = self.load_tasks()
        with self._lock:
            if name in tasks:
                tasks[name] = dict(tasks[name], status=status)

    def predict_digest(self, reference, digest):
        """Check mode: the image ``reference`` will be pulled at ``digest`` (its config is taken as the local one)."""
        images = self.load_images()
        with self._lock:
            if reference in images and images[reference]["digest"] != digest:
                self._configs.setdefault(digest, self._configs.get(images[reference]["digest"]))
                images[reference] = dict(images[reference], digest=digest)


def prefetch(clients, wanted, images, listed, parallel, candidates=None):
    """Read concurrently, with ``parallel`` workers, everything a batch needs; returns the containers listed.

    ``clients``: namespace -> NamespaceClient; ``wanted``: [(namespace, container name)] whose records to read;
    ``images``: {namespace: [references]} whose configs to read; ``listed``: namespaces whose containers to list
    (for pruning; their records are read too); ``candidates``: called once the images, their configs and the
    tasks are read, returns {namespace: {name: (filter, record)}} of the containers to confirm rather than read
    (``NamespaceClient.confirm``). Raises the first read error.
    """
    listing = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        jobs = []
        for namespace, client in clients.items():
            jobs.append(pool.submit(client.load_images))
            jobs.append(pool.submit(client.load_tasks))
            if namespace in listed:
                listing[namespace] = pool.submit(client.client.containers)
        if candidates is None:  # nothing waits for the configs: the records are read beside them
            jobs += [pool.submit(clients[namespace].load_record, name) for namespace, name in wanted]
        _wait(jobs)
        listing = dict((namespace, [row["name"] for row in job.result()]) for namespace, job in listing.items())
        jobs = []
        for namespace, references in images.items():
            digests = set(clients[namespace].local_digest(reference) for reference in references)
            for digest in sorted(digest for digest in digests if digest):
                jobs.append(pool.submit(clients[namespace].load_config, digest))
        _wait(jobs)
        if candidates is not None:
            _wait([pool.submit(clients[namespace].confirm, names) for namespace, names in candidates().items()])
        declared = set(wanted)
        jobs = [pool.submit(clients[namespace].load_record, name) for namespace, name in wanted]
        for namespace, names in listing.items():
            for name in names:
                if (namespace, name) not in declared:
                    jobs.append(pool.submit(clients[namespace].load_record, name))
        _wait(jobs)
    return listing


def _wait(jobs):
    for job in jobs:
        job.result()
