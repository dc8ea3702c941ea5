# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Python containers shared by the connection tests of one module (one namespace per containerd version)."""
from types import SimpleNamespace

import pytest

from harness import container_hosts, images

BUSYBOX = "docker.io/library/busybox:test"  # the top conftest's busybox_archive


@pytest.fixture(scope="module")
def hosts(containerd, busybox_archive, tmp_path_factory):
    """A namespace with running Python containers (``running``), one stopped Python container (``stopped``)
    and a running busybox container without Python (``no_python``)."""
    made = SimpleNamespace(namespace=container_hosts.unique("connection"), running=("c1", "c2", "c3"),
                           stopped="c-stopped", no_python="c-busybox")
    runner = container_hosts.runner(tmp_path_factory.mktemp("hosts"), containerd, made.namespace)
    container_hosts.create_hosts(runner, made.running + (made.stopped,), stopped=(made.stopped,))
    images.import_image(containerd, made.namespace, busybox_archive, BUSYBOX)
    containerd.ctr("run", "-d", BUSYBOX, made.no_python, "sleep", "100000", namespace=made.namespace)
    yield made
    containerd.clean_namespace(made.namespace)


@pytest.fixture
def play(tmp_path, containerd, hosts):
    """play(tasks, host="c1", host_vars=, env=, play_vars=): one play through the connection on those hosts."""
    runner = container_hosts.runner(tmp_path / "ansible", containerd, hosts.namespace)

    def run(tasks, host="c1", host_vars=None, env=None, play_vars=None):
        names = [host] if isinstance(host, str) else list(host)
        inventory = container_hosts.inventory(containerd, hosts.namespace, names, **(host_vars or {}))
        return runner.run(tasks, inventory=inventory, env=env, play_vars=play_vars)
    run.runner = runner
    return run
