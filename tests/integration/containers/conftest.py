"""Fixtures of the container/task/task_exec tests (daemons, namespaces and images come from the top conftest)."""

import pytest


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
