# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd inventory plugin: containers of namespaces as hosts, groups, caching, and a play through it."""
import json
from pathlib import Path

from harness import container_hosts

ROLES = Path(__file__).resolve().parent / "roles"


def plain(value):
    """ansible-inventory's JSON marks values from inventory plugins unsafe ({"__ansible_unsafe": v}): unwrap."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def hostvars(data, host):
    return plain(data["_meta"]["hostvars"][host])


def test_running_containers_of_both_namespaces_are_hosts(inventory, fleet):
    proc, data = inventory()
    assert proc.returncode == 0, proc.stderr
    assert sorted(data["_meta"]["hostvars"]) == ["db1", "web1", "web2"]
    assert hostvars(data, "db1")["containerd_namespace"] == fleet.back


def test_host_vars_describe_the_container_and_reach_it_through_the_connection(inventory, containerd, fleet):
    _proc, data = inventory()
    web1 = hostvars(data, "web1")
    assert {key: web1[key] for key in ("containerd_id", "containerd_namespace", "containerd_image",
                                       "containerd_labels", "containerd_task_status", "ansible_connection",
                                       "ansible_host", "ansible_containerd_namespace",
                                       "ansible_containerd_address", "ansible_containerd_ctr_path")} == {
        "containerd_id": "web1", "containerd_namespace": fleet.front,
        "containerd_image": "localhost/containerd-runtime/debian-python:bookworm",
        "containerd_labels": dict(web1["containerd_labels"], role="web", tier="front"),
        "containerd_task_status": "running",
        "ansible_connection": "containerd.runtime.containerd", "ansible_host": "web1",
        "ansible_containerd_namespace": fleet.front, "ansible_containerd_address": containerd.socket,
        "ansible_containerd_ctr_path": containerd.ctr_path}
    assert isinstance(web1["containerd_task_pid"], int) and web1["containerd_task_pid"] > 0
    assert (web1["containerd_networks"], web1["containerd_ip_addresses"]) == ([], [])


def test_include_stopped_adds_the_stopped_container_with_its_status(inventory):
    _proc, data = inventory(include_stopped=True)
    old1 = hostvars(data, "old1")
    assert (old1["containerd_task_status"], old1["containerd_task_pid"]) == ("stopped", None)


def test_label_filters_keep_the_containers_that_match_every_label(inventory):
    _proc, data = inventory(labels={"role": "web", "tier": None})
    assert sorted(data["_meta"]["hostvars"]) == ["web1"]


def test_keyed_groups_and_groups_show_in_the_graph(inventory, fleet):
    proc, _data = inventory("--graph", keyed_groups=[
        {"key": "containerd_labels.role", "prefix": "role"},
        {"key": "containerd_namespace", "prefix": "ns"}], groups={"frontend": "'tier' in containerd_labels"})
    assert proc.returncode == 0, proc.stderr
    graph = proc.stdout
    assert "@role_web:\n  |  |--web1\n  |  |--web2\n" in graph, graph
    assert "@role_db:\n  |  |--db1\n" in graph, graph
    assert "@ns_%s:\n  |  |--db1\n" % fleet.back.replace("-", "_") in graph, graph
    assert "@frontend:\n  |  |--web1\n" in graph, graph


def test_compose_sets_variables_and_strict_fails_on_a_bad_expression(inventory):
    _proc, data = inventory(compose={"site_role": "containerd_labels.role"})
    assert hostvars(data, "db1")["site_role"] == "db"
    proc, _data = inventory(compose={"site_role": "containerd_labels.nosuch.deeper"}, strict=True)
    assert proc.returncode != 0
    assert "nosuch" in proc.stderr


def test_hostname_namespace_id_prefixes_the_namespace(inventory, fleet):
    _proc, data = inventory(hostname="namespace_id")
    assert sorted(data["_meta"]["hostvars"]) == sorted(
        ["%s_db1" % fleet.back, "%s_web1" % fleet.front, "%s_web2" % fleet.front])


def test_the_cache_serves_the_hosts_until_it_is_flushed(inventory, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
    proc, data = inventory(**cache)
    assert proc.returncode == 0, proc.stderr
    proc, cached = inventory(**dict(cache, ctr_path="/nonexistent/ctr"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(cached["_meta"]["hostvars"]) == sorted(data["_meta"]["hostvars"])
    proc, _data = inventory("--list", "--flush-cache", **dict(cache, ctr_path="/nonexistent/ctr"))
    assert proc.returncode != 0
    assert "ctr_path /nonexistent/ctr is not an executable file" in proc.stderr


def test_a_missing_daemon_fails_the_inventory_with_a_clear_message(inventory, tmp_path):
    proc, _data = inventory(address=str(tmp_path / "nothing.sock"))
    assert proc.returncode != 0
    assert "containerd is not running at %s" % (tmp_path / "nothing.sock") in proc.stderr


def test_a_role_through_inventory_and_connection_converges_three_containers_then_changes_nothing(
        inventory, fleet, tmp_path):
    source = tmp_path / "site.containerd.yml"
    inventory()  # writes the inventory file of the fixture
    source.write_text(json.dumps(dict(json.loads((tmp_path / "hosts.containerd.yml").read_text()), compose={
        "ansible_python_interpreter": "'%s'" % container_hosts.INTERPRETER, "ansible_remote_tmp": "'~/.ansible/tmp'"})))
    playbook = tmp_path / "site.yml"
    playbook.write_text(json.dumps([{"hosts": "all", "gather_facts": False, "roles": [str(ROLES / "motd")]}]))
    runs = [container_hosts.ansible_command(inventory.runner, "ansible-playbook", "-i", source, playbook)
            for _run in range(2)]
    for proc, _records in runs:
        assert proc.returncode == 0, proc.stdout[-3000:]
    first, second = (records for _proc, records in runs)
    assert sorted({record["host"] for record in first}) == ["db1", "web1", "web2"]
    assert {record["status"] for record in first} == {"changed"}
    assert {record["status"] for record in second} == {"ok"}, second
