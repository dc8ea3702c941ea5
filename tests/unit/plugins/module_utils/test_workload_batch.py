"""workloads module logic (workload_batch) against a stub ctr: the ctr calls it makes, validation, health."""
import json
import socket
import threading
import time

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils import container_spec as spec
from ansible_collections.containerd.runtime.plugins.module_utils import workload_health as health
from ansible_collections.containerd.runtime.plugins.module_utils.workload_batch import Batch
from ansible_collections.containerd.runtime.plugins.module_utils.workload_spec import MANAGED_LABEL
from stub_runner import StubRunner, shim_logged

IMAGE = "docker.io/library/busybox:test"
INDEX = "sha256:" + "1" * 64
CONFIG = "sha256:" + "2" * 64
IMAGE_CONFIG = {"config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]}}
VERSION = "Client:\n  Version:  1.7.24\n\nServer:\n  Version:  1.7.24\n"


class Failed(Exception):
    def __init__(self, result):
        super(Failed, self).__init__(result["msg"])
        self.result = result


class FakeModule(object):
    def __init__(self, params, check_mode=False, diff=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff

    def fail_json(self, **result):
        raise Failed(result)

    def get_bin_path(self, name, opt_dirs=None):
        return self.params["ctr_path"]


def record_for(name, entry):
    """A containers-info record exactly like the one the module would create for ``entry``."""
    want = spec.desired(dict(entry, runtime=spec.DEFAULT_RUNTIME, stop_timeout=spec.DEFAULT_STOP_TIMEOUT),
                        {"name": IMAGE, "digest": INDEX, "config": IMAGE_CONFIG})
    labels = dict(want["labels"], **{spec.IMAGE_DIGEST_LABEL: INDEX, spec.STOP_TIMEOUT_LABEL: "10",
                                     spec.STOP_SIGNAL_LABEL: want["stop_signal"], MANAGED_LABEL: "workloads"})
    return {"ID": name, "Labels": labels, "Image": IMAGE, "Runtime": {"Name": want["runtime"]},
            "Spec": {"process": {"args": want["command"], "env": ["%s=%s" % item for item in want["env"].items()],
                                 "cwd": want["working_dir"]},
                     "linux": {"namespaces": [{"type": "network"}]}}}


def table(headers, rows):
    """ctr's tabwriter layout: columns padded to their widest cell."""
    widths = [max(len(str(row[index])) for row in [headers] + rows) + 3 for index in range(len(headers))]
    return "".join("".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n"
                   for row in [headers] + rows)


class FakeCtr(StubRunner):
    """A StubRunner that answers from a small model of containerd (thread-safe; calls in any order)."""

    def __init__(self, delay=0.0):
        super(FakeCtr, self).__init__()
        self.records = {}  # (namespace, name) -> record
        self.tasks = {}  # (namespace, name) -> status
        self.delay = delay
        self.lock = threading.Lock()
        self.active = 0
        self.most_active = 0

    def __call__(self, argv, data=None):
        with self.lock:
            self.calls.append(argv)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            time.sleep(self.delay)
            return self.answer(argv)
        finally:
            with self.lock:
                self.active -= 1

    @staticmethod
    def split(argv):
        namespace = argv[argv.index("--namespace") + 1] if "--namespace" in argv else None
        return namespace, argv[argv.index("--timeout") + 2 + (2 if namespace else 0):]

    def answer(self, argv):
        namespace, args = self.split(argv)
        if args == ["version"]:
            return 0, VERSION, ""
        if args == ["images", "ls"]:
            return 0, table(["REF", "TYPE", "DIGEST", "SIZE", "PLATFORMS", "LABELS"],
                            [[IMAGE, "application/vnd.oci.image.index.v1+json", INDEX, "1.0 MiB", "linux/amd64", "-"]]), ""
        if args[:2] == ["content", "get"]:
            blob = {"config": {"digest": CONFIG}} if args[2] == INDEX else IMAGE_CONFIG
            return 0, json.dumps(blob), ""
        if args == ["tasks", "ls"]:
            rows = [[name, "42", status.upper()] for (ns, name), status in sorted(self.tasks.items()) if ns == namespace]
            return 0, table(["TASK", "PID", "STATUS"], rows), ""
        if args == ["containers", "ls"]:
            rows = [[name, IMAGE, "io.containerd.runc.v2"] for (ns, name) in sorted(self.records) if ns == namespace]
            return 0, table(["CONTAINER", "IMAGE", "RUNTIME"], rows), ""
        if args[:2] == ["containers", "info"]:
            record = self.records.get((namespace, args[2]))
            if record is None:
                return 1, "", 'ctr: container "%s" in namespace "%s": not found\n' % (args[2], namespace)
            return 0, json.dumps(record), ""
        if args[:2] == ["tasks", "exec"]:
            return shim_logged(0)(argv) if args[-1] == "true" else shim_logged(1, stderr=b"nope\n")(argv)
        if args[:2] == ["containers", "create"]:
            name = args[args.index(IMAGE) + 1]
            labels = dict(args[index + 1].split("=", 1) for index, arg in enumerate(args) if arg == "--label")
            self.records[(namespace, name)] = {"ID": name, "Labels": labels, "Image": IMAGE, "Spec": {}}
        if args[:2] == ["containers", "label"]:
            labels = self.records[(namespace, args[2])]["Labels"]
            labels.update(item.split("=", 1) for item in args[3:])
        if args[:2] == ["tasks", "start"]:
            self.tasks[(namespace, args[-1])] = "running"
        if args[:2] == ["tasks", "kill"]:
            self.tasks[(namespace, args[-1])] = "stopped"
        if args[:2] == ["tasks", "delete"]:
            self.tasks.pop((namespace, args[-1]), None)
        if args[:2] == ["containers", "delete"]:
            self.records.pop((namespace, args[2]), None)
        return 0, "", ""

    def writes(self):
        reads = (["version"], ["images", "ls"], ["tasks", "ls"], ["containers", "ls"])
        return [args for _ns, args in map(self.split, self.calls)
                if args not in reads and args[:2] not in (["content", "get"], ["containers", "info"])]


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
        return Batch(FakeModule(params, check, diff), runner=runner, sleep=lambda seconds: None), runner
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
    # per namespace: images ls, tasks ls, content get of the index and of the config
    assert len(runner.calls) <= count + 4 * namespaces, [FakeCtr.split(argv)[1] for argv in runner.calls]
    assert sum(1 for argv in runner.calls if "info" in argv) == count


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
