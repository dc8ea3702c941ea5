# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: real containerd daemons of each version, per-test namespaces, registries, images, an ansible runner.

Every daemon here comes from ``harness.daemon.ContainerdDaemon``; this is the only place tests start
containerd. Daemons are per test session (per xdist worker) and shared by that version's tests, which
keep out of each other's way by working in a namespace of their own.
"""
import json
import os
import re
import uuid

import pytest

from harness import corpus, fault_matrix, images
from harness.ansible import Ansible
from harness.binaries import CACHE, VERSIONS
from harness.daemon import ContainerdDaemon
from harness.registry import Registry

BUSYBOX = corpus.DEFAULT.ref()  # docker.io/library/busybox:test
LABELLED = "docker.io/library/busybox:labelled"


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist), before any test
        corpus.reset_report()
        fault_matrix.reset()


def pytest_terminal_summary(terminalreporter):
    fault_matrix.summary(terminalreporter)  # the fault matrix table, when fault cases ran


@pytest.fixture
def matrix(request):
    """``matrix.row(fault, seen, kept)``: a row of the fault matrix (harness/fault_matrix.py)."""
    return fault_matrix.Recorder(request.node.nodeid)


# The whole matrix takes longer than make test's budget on 2 cores. By default every test runs on the
# oldest and the newest containerd (1.6 and 2.x: between them they take every branch of _ctr/versions.py;
# 1.7 is 1.6's daemon with 2.x's ctr flag parsing), and the per-image corpus sequence runs every image on the
# newest and the default image on the oldest. CONTAINERD_RUNTIME_FULL_MATRIX=1 runs all of it on all three.
FULL_MATRIX = os.environ.get("CONTAINERD_RUNTIME_FULL_MATRIX") == "1"
NEWEST, OLDEST = max(VERSIONS), min(VERSIONS)


def pytest_collection_modifyitems(config, items):
    if FULL_MATRIX:
        return
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        version = params.get("containerd")
        if version is None:
            continue
        image = params.get("corpus_archive")
        if version not in (NEWEST, OLDEST):
            item.add_marker(pytest.mark.skip(reason="containerd %s runs with CONTAINERD_RUNTIME_FULL_MATRIX=1 "
                                             "(make test: %s and %s)" % (version, OLDEST, NEWEST)))
        elif image is not None and image != "oci" and version != NEWEST:
            item.add_marker(pytest.mark.skip(reason="corpus image %s runs on containerd %s only (set "
                                             "CONTAINERD_RUNTIME_FULL_MATRIX=1 for all)" % (image, NEWEST)))


@pytest.fixture(scope="session")
def daemon_factory():
    """Start extra throwaway daemons (for tests that kill or pause one); all are destroyed at the end."""
    started = []

    def start(version):
        daemon = ContainerdDaemon(version)
        started.append(daemon)
        return daemon.start()

    yield start
    for daemon in started:
        daemon.destroy()


@pytest.fixture(scope="session", params=list(VERSIONS), ids=lambda v: "containerd-" + v)
def containerd(request, daemon_factory):
    """A running containerd of each tested version (1.6, 1.7, 2.x), shared by that version's tests."""
    return daemon_factory(request.param)


@pytest.fixture
def namespace(request, containerd):
    """A namespace name unique to this test; whatever the test left in it is removed afterwards."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", request.node.originalname)[:40].strip("-")
    name = "%s-%s" % (base, uuid.uuid4().hex[:8])
    yield name
    containerd.clean_namespace(name)


@pytest.fixture
def info(containerd, namespace):
    """info(name) -> the container record (ctr containers info JSON), or None when it does not exist."""
    def read(name):
        result = containerd.ctr("containers", "info", name, namespace=namespace, check=False)
        return json.loads(result.stdout) if result.returncode == 0 else None
    return read


@pytest.fixture
def ansible(tmp_path, containerd, namespace):
    """Runs plays on localhost against ``containerd``, in ``namespace`` unless a task says otherwise."""
    return Ansible(tmp_path / "ansible", defaults={
        "address": containerd.socket, "ctr_path": containerd.ctr_path, "namespace": namespace})


# ---- registries (docker-registry on free loopback ports; the image and role tests use them) ----

def _registry(mode, **kwargs):
    registry = Registry(mode, **kwargs).start()
    return registry


@pytest.fixture(scope="session")
def registry():
    """A plain-HTTP registry on a free loopback port."""
    registry = _registry("http")
    yield registry
    registry.destroy()


@pytest.fixture(scope="session")
def tls_registry():
    """An HTTPS registry whose certificate is signed by a CA made for it; ``hosts_dir`` trusts that CA."""
    registry = _registry("https")
    yield registry
    registry.destroy()


@pytest.fixture(scope="session")
def auth_registry():
    """An HTTPS registry with htpasswd basic auth (``username``/``password``); ``hosts_dir`` trusts its CA."""
    registry = _registry("auth")
    yield registry
    registry.destroy()


@pytest.fixture(scope="session")
def readonly_registry():
    """A plain-HTTP registry in read-only mode: it refuses every push."""
    registry = _registry("http", readonly=True)
    yield registry
    registry.destroy()


def _busybox_archive(marker):
    """Archive of the default image of the corpus (harness/corpus.py: shaped like a public image, on busybox)
    whose /etc/image-marker is ``marker`` (cached across runs)."""
    return corpus.archive(corpus.DEFAULT, marker, BUSYBOX)[0]


@pytest.fixture(scope="session")
def busybox_archive():
    """OCI archive of the busybox test image: labels, env, entrypoint script + cmd, working dir, stop signal,
    ports, volumes, healthcheck, root user, two layers (see harness/corpus.py)."""
    return _busybox_archive("v1")


@pytest.fixture
def busybox(containerd, namespace, busybox_archive):
    """The busybox test image, imported into this test's namespace; returns its reference."""
    return images.import_image(containerd, namespace, busybox_archive, BUSYBOX)


@pytest.fixture(scope="session")
def busybox_v2_archive():
    """A second build of the busybox test image under the same reference: the tag moves to a new digest."""
    return _busybox_archive("v2")


@pytest.fixture(scope="session", params=list(corpus.CORPUS), ids=lambda name: "image-" + name)
def corpus_archive(request):
    """Each image of the corpus in turn (OCI and Docker, single and multi-platform, numeric user, whiteouts):
    ``corpus.Archive`` (shape, path, ref, digest)."""
    return corpus.Archive.build(corpus.CORPUS[request.param])


@pytest.fixture
def corpus_image(containerd, namespace, corpus_archive):
    """The image of ``corpus_archive`` imported into this test's namespace; returns the ``corpus.Archive``."""
    images.import_image(containerd, namespace, corpus_archive.path, corpus_archive.ref)
    return corpus_archive


@pytest.fixture(scope="session")
def labelled_archive():
    """The minimal busybox image whose config carries only ``Labels: {note: v1}`` (issue 11's reproduction)."""
    path = CACHE / "images" / "busybox-labelled-note-v1.tar"
    images.build_archive(path, marker="v1", ref=LABELLED, labels={"note": "v1"})
    return path


@pytest.fixture
def labelled(containerd, namespace, labelled_archive):
    """The image of ``labelled_archive`` imported into this test's namespace; returns its reference."""
    return images.import_image(containerd, namespace, labelled_archive, LABELLED)


@pytest.fixture
def repo(namespace):
    """A registry repository name unique to this test (tests share the session's registries)."""
    return namespace.lower()


@pytest.fixture
def publish(containerd):
    """publish(registry, archive, repository, tag) pushes a test image with plain ctr; returns (ref, digest)."""
    setup_namespaces = []

    def push(registry, archive, repository, tag="latest"):
        setup = "setup-%s" % uuid.uuid4().hex[:12]
        setup_namespaces.append(setup)
        ref = registry.push(containerd, setup, archive, BUSYBOX, repository, tag)
        return ref, registry.digest(repository, tag)

    yield push
    for setup in setup_namespaces:
        containerd.clean_namespace(setup)
