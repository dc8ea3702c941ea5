"""Fixtures of the image tests: real registries (docker-registry) and a second busybox image version.

Registries are per test session (per xdist worker) and shared by the tests of every containerd version;
tests keep out of each other's way with a repository of their own (``repo``, derived from the namespace).
"""
import uuid

import pytest

from harness import images
from harness.binaries import CACHE
from harness.registry import Registry

BUSYBOX = "docker.io/library/busybox:test"


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


@pytest.fixture(scope="session")
def busybox_v2_archive():
    """OCI archive of a second busybox version (another digest), under the same reference as v1."""
    path = CACHE / "images" / "busybox-v2.tar"
    images.build_archive(path, marker="v2", ref=BUSYBOX)
    return path


@pytest.fixture
def repo(namespace):
    """A registry repository name unique to this test."""
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
