# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the container/task/task_exec tests (daemons, namespaces and images come from the top conftest)."""

import pytest

from harness import corpus, images


@pytest.fixture
def tasks(containerd, namespace):
    """tasks() -> {name: {'pid': int, 'status': 'RUNNING'|...}} from plain ctr tasks ls."""
    def read():
        rows = {}
        for line in containerd.lines("tasks", "ls", namespace=namespace)[1:]:
            name, pid, status = line.split()
            rows[name] = {"pid": int(pid), "status": status}
        return rows
    return read


@pytest.fixture
def container(ansible, busybox):
    """container(name, **options) -> runs the container module with the busybox image by default."""
    def run(name, check=False, diff=False, **options):
        args = {"name": name, "image": busybox}
        args.update(options)
        return ansible.module("container", args, check=check, diff=diff)
    return run


@pytest.fixture
def nonroot(containerd, namespace):
    """The corpus's numeric-user image (User 65534:65534, StopSignal SIGQUIT) in this test's namespace."""
    built = corpus.Archive.build(corpus.CORPUS["nonroot"])
    return images.import_image(containerd, namespace, built.path, built.ref)
