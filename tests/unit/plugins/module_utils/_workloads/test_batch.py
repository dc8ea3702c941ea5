# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""workloads module logic (_workloads/batch.py) against a stub ctr: the ctr calls it makes, validation, health."""
import socket

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._workloads import health
from ansible_collections.containerd.runtime.plugins.module_utils._workloads.batch import Batch
from ansible_collections.containerd.runtime.plugins.module_utils._workloads.entries import MANAGED_LABEL
from fake_ctr import IMAGE, FakeCtr, record_for


class Failed(Exception):
    def __init__(self, result):
        super(Failed, self).__init__(result["msg"])
        self.result = result


class AsTheModule(object):
    """Runs a Batch as the workloads module's main() does: a typed error becomes the failed result."""

    def __init__(self, batch):
        self.batch = batch

    def run(self):
        try:
            return self.batch.run()
        except CollectionError as error:
            raise Failed(dict(error.details(), msg=error.message))


@pytest.fixture
def world(tmp_path, ctr, listening_socket):
    """world(entries, **options) -> (Batch, FakeCtr) with a runc shim next to the fake ctr."""
    shim = tmp_path / "containerd-shim-runc-v2"
    shim.write_text("#!/bin/sh\n")
    shim.chmod(0o755)

    def make(entries, check=False, diff=False, runner=None, **options):
        params = dict(address=listening_socket, namespace="apps", ctr_path=ctr, timeout=30, workloads=entries,
                      prune=False, prune_namespaces=[], wait_healthy=True, hosts_dir=None, plain_http=False,
                      cni_conf_dir=str(tmp_path / "net.d"), cni_bin_dir=[str(tmp_path)],
                      cni_cache_dir=str(tmp_path / "cache"), parallel=4)
        params.update(options)
        runner = runner or FakeCtr()
        batch = Batch(params, RunContext(check, diff), ctr, runner=runner, sleep=lambda seconds: None)
        return AsTheModule(batch), runner
    return make


def declared(count, namespaces=("apps",)):
    return [{"name": "w%d" % index, "image": IMAGE, "namespace": namespaces[index % len(namespaces)],
             "command": ["sleep", str(1000 + index)], "env": {"N": str(index)}} for index in range(count)]


def converged(runner, entries):
    for entry in entries:
        runner.records[(entry["namespace"], entry["name"])] = record_for(entry["name"], entry)
        runner.tasks[(entry["namespace"], entry["name"])] = "running"


@pytest.mark.parametrize("count", [1, 12])
def test_a_noop_converge_makes_one_ctr_call_per_workload_plus_a_constant_per_namespace(world, count):
    entries = declared(count, namespaces=("apps", "db"))
    runner = FakeCtr()
    converged(runner, entries)
    batch, runner = world(entries, runner=runner)
    result = batch.run()
    assert result["changed"] is False, result
    assert all(item["actions"] == [] and item["healthy"] is None for item in result["workloads"])
    assert runner.writes() == []
    namespaces = len(set(entry["namespace"] for entry in entries))
    # per namespace: images ls, tasks ls, content get of the index and of the config, the filtered listing
    # (these records carry no fingerprint, as an older release created them: each is read)
    assert len(runner.calls) <= count + 5 * namespaces, [FakeCtr.split(argv)[1] for argv in runner.calls]
    assert sum(1 for argv in runner.calls if "info" in argv) == count


def created(world, entries):
    """A FakeCtr holding the containers a first run created for ``entries``, each with the spec ctr gives it."""
    batch, runner = world(entries)
    assert batch.run()["changed"] is True
    for entry in entries:
        record = runner.records[(entry["namespace"], entry["name"])]
        record.update(Spec=record_for(entry["name"], entry)["Spec"], Runtime={"Name": "io.containerd.runc.v2"})
    runner.calls[:] = []
    return runner


def listings(runner):
    return [args for _ns, args in map(FakeCtr.split, runner.calls) if args[:2] == ["containers", "ls"]]


def infos(runner):
    return [args[2] for _ns, args in map(FakeCtr.split, runner.calls) if args[:2] == ["containers", "info"]]


@pytest.mark.parametrize("count", [1, 12])
def test_a_noop_converge_confirms_the_containers_it_created_with_one_listing_per_namespace(world, count):
    entries = declared(count, namespaces=("apps", "db"))
    batch, runner = world(entries)
    assert batch.run()["changed"] is True
    runner.calls[:] = []
    batch, runner = world(entries, runner=runner)
    result = batch.run()
    assert result["changed"] is False, result
    assert runner.writes() == []
    assert infos(runner) == []
    assert len(listings(runner)) == len(set(entry["namespace"] for entry in entries))
    assert [item["container"]["command"] for item in result["workloads"]] == [entry["command"] for entry in entries]


def test_a_declared_label_changed_by_hand_is_read_and_compared(world):
    entries = [dict(entry, labels={"tier": "web"}) for entry in declared(2)]
    runner = created(world, entries)
    runner.records[("apps", "w1")]["Labels"]["tier"] = "db"
    batch, runner = world(entries, runner=runner)
    result = batch.run()
    assert set(infos(runner)) == {"w1"}
    assert result["workloads"][1]["differences"] == ["labels"]
    assert result["workloads"][0]["changed"] is False


def test_a_label_added_by_hand_to_a_confirmed_container_is_not_noticed(world):
    """As documented: the listing confirms the declared labels, it cannot see one added beside them."""
    entries = declared(1)
    runner = created(world, entries)
    runner.records[("apps", "w0")]["Labels"]["added"] = "by hand"
    batch, runner = world(entries, runner=runner)
    assert batch.run()["changed"] is False
    assert infos(runner) == []


def test_a_container_whose_fingerprint_label_was_removed_is_read_and_compared(world):
    entries = declared(2)
    runner = created(world, entries)
    del runner.records[("apps", "w0")]["Labels"]["containerd.runtime/fingerprint"]
    batch, runner = world(entries, runner=runner)
    batch.run()
    assert set(infos(runner)) == {"w0"}


def test_a_changed_entry_is_not_confirmed(world):
    entries = declared(2)
    runner = created(world, entries)
    entries[0]["env"] = {"N": "changed"}
    batch, runner = world(entries, runner=runner)
    result = batch.run()
    assert infos(runner)[0] == "w0" and "w1" not in infos(runner)
    assert result["workloads"][0]["differences"] == ["env"]


def test_a_workload_with_a_restart_policy_is_read_not_confirmed(world):
    entries = [dict(entry, restart_policy="always") for entry in declared(1)]
    runner = created(world, entries)
    batch, runner = world(entries, runner=runner)
    result = batch.run()
    assert result["workloads"][0]["actions"] == [], result
    assert infos(runner) == ["w0"]
    assert listings(runner) == []


def test_a_workload_whose_task_is_not_running_is_read_not_confirmed(world):
    entries = declared(1)
    runner = created(world, entries)
    runner.tasks[("apps", "w0")] = "stopped"
    batch, runner = world(entries, runner=runner)
    assert "started task w0" in batch.run()["workloads"][0]["actions"]
    assert infos(runner)[0] == "w0"


def test_the_per_container_reads_run_concurrently_with_parallel_workers(world):
    entries = declared(8)
    runner = FakeCtr(delay=0.05)
    converged(runner, entries)
    batch, runner = world(entries, runner=runner, parallel=4)
    assert batch.run()["changed"] is False
    assert runner.most_active == 4


def test_a_new_workload_is_created_with_the_managed_label_and_started(world):
    batch, runner = world([{"name": "web", "image": IMAGE, "command": "sleep 1000"}])
    result = batch.run()
    assert result["changed"] is True
    assert result["workloads"][0]["actions"] == ["created container web", "started task web"]
    create = [args for args in runner.writes() if args[:2] == ["containers", "create"]][0]
    assert "%s=workloads" % MANAGED_LABEL in create


def test_check_mode_predicts_creation_and_start_and_writes_nothing(world):
    batch, runner = world([{"name": "web", "image": IMAGE}], check=True, diff=True)
    result = batch.run()
    assert result["workloads"][0]["actions"] == ["created container web", "started task web"]
    assert result["diff"]["after"]["web"] == {"state": "present", "status": "running"}
    assert runner.writes() == []


def test_a_changed_entry_is_recreated_and_only_that_one(world):
    entries = declared(3)
    runner = FakeCtr()
    converged(runner, entries)
    entries[1]["env"] = {"N": "changed"}
    batch, runner = world(entries, runner=runner, wait_healthy=False)
    result = batch.run()
    assert [item["changed"] for item in result["workloads"]] == [False, True, False]
    assert result["workloads"][1]["differences"] == ["env"]


def test_prune_removes_only_managed_undeclared_containers(world):
    entries = declared(2)
    runner = FakeCtr()
    converged(runner, entries + [{"name": "old", "image": IMAGE, "namespace": "apps"}])
    runner.records[("apps", "mine")] = dict(record_for("mine", {"name": "mine", "image": IMAGE}), Labels={})
    batch, runner = world(entries, runner=runner, prune=True)
    result = batch.run()
    assert result["pruned"] == [{"name": "old", "namespace": "apps"}]
    assert ("apps", "mine") in runner.records and ("apps", "old") not in runner.records


@pytest.mark.parametrize("entry, message", [
    ({"name": "web", "image": IMAGE, "memory": "12XB"}, "workloads[1] (web): memory '12XB' is not a size"),
    ({"name": "web", "image": IMAGE, "colour": "red"}, "workloads[1] (web): unknown key colour"),
    ({"name": "web"}, "workloads[1] (web): image is required unless state is absent"),
    ({"name": "web", "image": IMAGE, "labels": {MANAGED_LABEL: "me"}}, "workloads[1] (web): label 'containerd.runtime/"),
    ({"name": "web", "image": IMAGE, "healthcheck": {"tcp_port": 70000}}, "workloads[1] (web): healthcheck: tcp_port"),
    ({"name": "web", "image": IMAGE, "state": "gone"}, "workloads[1] (web): state must be one of running"),
    ({"name": "ok", "image": IMAGE, "namespace": "apps"}, "workloads[1] (ok): duplicate name ok in namespace apps"),
])
def test_bad_entries_fail_before_any_ctr_call_naming_the_entry(world, entry, message):
    batch, runner = world([{"name": "ok", "image": IMAGE}, entry])
    with pytest.raises(Failed) as failed:
        batch.run()
    assert message in failed.value.result["msg"]
    assert runner.calls == []


def test_every_bad_entry_is_reported_at_once(world):
    batch, _runner = world([{"name": "a", "image": IMAGE, "memory": "x"}, {"name": "b"}])
    with pytest.raises(Failed) as failed:
        batch.run()
    assert "workloads[0] (a)" in failed.value.result["msg"] and "workloads[1] (b)" in failed.value.result["msg"]


def test_an_exec_healthcheck_is_run_only_for_workloads_the_run_started(world):
    entry = {"name": "web", "image": IMAGE, "healthcheck": {"exec": "true"}}
    batch, runner = world([entry])
    assert batch.run()["workloads"][0]["healthy"] is True
    batch, runner = world([entry], runner=runner)
    runner.calls = []
    runner.records[("apps", "web")] = record_for("web", entry)
    result = batch.run()
    assert result["workloads"][0]["healthy"] is None
    assert not any("exec" in argv for argv in runner.calls)


def test_a_failing_healthcheck_fails_naming_the_workload_check_and_last_error(world):
    batch, _runner = world([{"name": "ok", "image": IMAGE},
                            {"name": "web", "image": IMAGE, "healthcheck": {"exec": ["false"], "retries": 3}}])
    with pytest.raises(Failed) as failed:
        batch.run()
    result = failed.value.result
    assert result["msg"].startswith("workloads[1] (web): workload web did not become healthy: exec false failed 3 times")
    assert "exit status 1: nope" in result["msg"]
    assert [item["name"] for item in result["workloads"]] == ["ok"]


def test_tcp_probe_is_healthy_when_the_port_accepts_and_not_when_nothing_listens():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        probe = health.probe_for({"tcp_port": port, "interval": 0.1}, None, "web", [])
        assert health.wait({"retries": 2, "interval": 0}, probe) == (True, 1, None)
    finally:
        server.close()
    healthy, attempts, last = health.wait({"retries": 3, "interval": 0}, probe, sleep=lambda seconds: None)
    assert (healthy, attempts) == (False, 3) and "connect to 127.0.0.1:%d" % port in last


def test_tcp_probe_connects_to_the_first_cni_address_unless_host_is_given():
    interfaces = [{"ips": ["10.88.0.5/24", "fd00::5/64"]}]
    assert health.tcp_host({"tcp_port": 80}, interfaces) == "10.88.0.5"
    assert health.tcp_host({"tcp_port": 80, "host": "192.0.2.1"}, interfaces) == "192.0.2.1"
    assert health.tcp_host({"tcp_port": 80}, []) == "127.0.0.1"


def test_check_mode_predicts_that_a_stopped_workload_is_recreated_without_starting_it(world):
    entry = {"name": "web", "image": IMAGE, "namespace": "apps", "env": {"N": "1"}}
    runner = FakeCtr()
    converged(runner, [entry])
    batch, runner = world([dict(entry, env={"N": "2"}, state="stopped")], runner=runner, check=True)
    actions = batch.run()["workloads"][0]["actions"]
    assert actions == ["stopped task web", "deleted task web", "deleted container web", "created container web"]
    assert runner.writes() == []
