"""Fixtures of the image tests: a second busybox image version, a repository per test, and publishing.

The registries themselves are fixtures of tests/integration/conftest.py (per test session, per xdist
worker, shared by every containerd version); tests keep out of each other's way with a repository of
their own (``repo``, derived from the namespace).
"""
import uuid

import pytest

from harness import images
from harness.binaries import CACHE

BUSYBOX = "docker.io/library/busybox:test"


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
