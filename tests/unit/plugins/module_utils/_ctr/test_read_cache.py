# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The workloads batch's read-once cache (_ctr/read_cache.py): reads served once, each write forgetting what it
changes, and nothing but the methods it declares."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.read_cache import NamespaceClient
from fake_ctr import IMAGE, FakeCtr, record_for


@pytest.fixture
def cache(ctr, listening_socket):
    runner = FakeCtr()
    runner.records[("apps", "web")] = record_for("web", {"name": "web", "image": IMAGE})
    runner.tasks[("apps", "web")] = "running"
    return NamespaceClient(CtrClient(ctr, listening_socket, "apps", 30, runner))


def reads(cache, what):
    return sum(1 for argv in cache.client.runner.calls if FakeCtr.split(argv)[1][:2] == what)


def test_a_record_and_the_task_list_are_read_once(cache):
    for _attempt in range(3):
        cache.container_info("web")
        cache.task("web")
    assert (reads(cache, ["containers", "info"]), reads(cache, ["tasks", "ls"])) == (1, 1)


def test_labelling_a_container_forgets_its_record_but_not_the_task_list(cache):
    cache.container_info("web")
    cache.task("web")
    cache.label_container("web", {"a": "b"})
    assert cache.container_info("web")["Labels"]["a"] == "b"
    cache.task("web")
    assert (reads(cache, ["containers", "info"]), reads(cache, ["tasks", "ls"])) == (2, 1)


def test_stopping_a_task_forgets_the_task_list(cache):
    assert cache.task("web")["status"] == "running"
    cache.stop_task("web", "SIGTERM", 1)
    assert cache.task("web")["status"] == "stopped"


def test_deleting_a_container_forgets_its_record_and_the_task_list(cache):
    cache.container_info("web")
    cache.task("web")
    cache.delete_task("web")
    cache.delete_container("web")
    assert cache.container_info("web") is None and cache.task("web") is None


@pytest.mark.parametrize("method", ["kill_task", "exec_in_task", "images", "remove_images", "create_namespace"])
def test_a_client_method_the_cache_does_not_declare_is_not_there(cache, method):
    assert hasattr(cache.client, method)
    assert not hasattr(cache, method)
