# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""workloads module: one call converges a host's workloads — against real containerd 1.6, 1.7 and 2.x."""
from harness import images
from harness.assertions import assert_clean_failure

MANAGED = "containerd.runtime/managed-by"


def image_marker(containerd, namespace, name):
    """The marker (v1 / v2) of the image the running task of ``name`` sees."""
    pid = [int(row.split()[1]) for row in containerd.lines("tasks", "ls", namespace=namespace)[1:]
           if row.split()[0] == name][0]
    return images.marker_seen_by(pid)


def test_creates_and_starts_every_workload_then_a_second_run_changes_nothing(workloads, workload, info, tasks):
    entries = [workload("web"), workload("worker", env={"MODE": "a"}), workload("db", memory="32m")]
    first = workloads(entries)
    assert first["status"] == "changed", first
    assert [item["actions"] for item in first["workloads"]] == [
        ["created container %s" % name, "started task %s" % name] for name in ("web", "worker", "db")]
    assert tasks() == {"web": "RUNNING", "worker": "RUNNING", "db": "RUNNING"}
    assert all(info(name)["Labels"][MANAGED] == "workloads" for name in ("web", "worker", "db"))

    second = workloads(entries)
    assert second["status"] == "ok", second
    assert all(not item["changed"] and item["actions"] == [] for item in second["workloads"])


def test_check_mode_predicts_the_changes_and_changes_nothing(ansible, workloads, workload, info, tasks):
    assert workloads([workload("web")])["status"] == "changed"
    entries = [workload("web", env={"MODE": "b"}), workload("new")]

    def observe():
        return tasks(), info("new") is not None, "MODE=b" in info("web")["Spec"]["process"]["env"]

    converged = ansible.converge("workloads", {"workloads": entries}, observe=observe)
    check, real = converged.check, converged.real
    assert check["workloads"][0]["differences"] == ["env"]
    assert check["workloads"][0]["actions"] == [
        "stopped task web", "deleted task web", "deleted container web", "created container web", "started task web"]
    assert check["workloads"][1]["actions"] == ["created container new", "started task new"]
    assert converged.before == ({"web": "RUNNING"}, False, False)

    assert [item["actions"] for item in real["workloads"]][1] == check["workloads"][1]["actions"]
    assert real["workloads"][0]["actions"][0].startswith("stopped task web with ")
    assert converged.after == ({"web": "RUNNING", "new": "RUNNING"}, True, True)


def test_diff_mode_shows_before_and_after_per_workload(workloads, workload):
    assert workloads([workload("web", env={"MODE": "a"})])["status"] == "changed"
    result = workloads([workload("web", env={"MODE": "b"}), workload("new")], diff=True)
    assert result["diff"]["before"]["web"]["env"]["MODE"] == "a"
    assert result["diff"]["after"]["web"]["env"]["MODE"] == "b"
    assert result["diff"]["before"]["new"] == {"state": "absent", "status": "absent"}
    assert result["diff"]["after"]["new"] == {"state": "present", "status": "running"}


def test_changing_one_entry_recreates_only_that_workload(workloads, workload, info, tasks):
    entries = [workload("a"), workload("b"), workload("c")]
    workloads(entries)
    created = dict((name, info(name)["CreatedAt"]) for name in "abc")
    entries[1] = workload("b", command=["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 2; done"])
    result = workloads(entries)
    assert [item["changed"] for item in result["workloads"]] == [False, True, False]
    assert result["workloads"][1]["differences"] == ["command"]
    assert info("a")["CreatedAt"] == created["a"] and info("c")["CreatedAt"] == created["c"]
    assert info("b")["CreatedAt"] != created["b"]
    assert tasks() == {"a": "RUNNING", "b": "RUNNING", "c": "RUNNING"}


def test_state_stopped_stops_the_task_and_absent_removes_the_container(workloads, workload, info, tasks):
    workloads([workload("web"), workload("old")])
    stopped = workloads([workload("web", state="stopped"), workload("old", state="absent")])
    assert stopped["status"] == "changed", stopped
    assert tasks() == {"web": "STOPPED"}
    assert info("old") is None and info("web") is not None
    again = workloads([workload("web", state="stopped"), workload("old", state="absent")])
    assert again["status"] == "ok", again


def test_prune_removes_only_managed_containers_that_are_no_longer_declared(
        workloads, workload, ansible, busybox, info):
    workloads([workload("keep"), workload("gone")])
    assert ansible.module("container", {"name": "mine", "image": busybox})["status"] == "changed"
    result = workloads([workload("keep")], prune=True)
    assert result["status"] == "changed", result
    assert result["pruned"] == [{"name": "gone", "namespace": result["workloads"][0]["namespace"]}]
    assert info("gone") is None and info("mine") is not None and info("keep") is not None
    assert workloads([workload("keep")], prune=True)["status"] == "ok"


def test_an_exec_healthcheck_that_passes_makes_the_workload_healthy(workloads, workload):
    entry = workload("web", healthcheck={"exec": ["test", "-d", "/bin"], "interval": 0.2})
    result = workloads([entry])
    assert result["status"] == "changed", result
    assert result["workloads"][0]["healthy"] is True
    assert workloads([entry])["workloads"][0]["healthy"] is None  # nothing started: nothing checked


def test_a_failing_healthcheck_fails_the_module_naming_the_workload(workloads, workload, tasks):
    entries = [workload("ok"), workload("web", healthcheck={"exec": "cat /nonexistent", "retries": 2, "interval": 0.2}),
               workload("later")]
    result = workloads(entries)
    assert_clean_failure(result, "workloads[1] (web): workload web did not become healthy",
                         "exec cat /nonexistent failed 2 times")
    assert [item["name"] for item in result["workloads"]] == ["ok"]
    assert "ok" in tasks() and "later" not in tasks()


def test_an_image_that_cannot_be_pulled_fails_naming_the_entry_and_keeps_earlier_ones(
        workloads, workload, unreachable_registry, info, tasks):
    image = "%s/none:here" % unreachable_registry
    result = workloads([workload("first"), {"name": "bad", "image": image}, workload("after")], plain_http=True)
    assert_clean_failure(result, "workloads[1] (bad): ")
    assert unreachable_registry in result["msg"]
    assert tasks() == {"first": "RUNNING"}
    assert info("bad") is None and info("after") is None


def test_duplicate_names_fail_before_anything_changes(workloads, workload, info):
    result = workloads([workload("web"), workload("web")])
    assert_clean_failure(result, "workloads[1] (web): duplicate name web in namespace")
    assert info("web") is None


def test_bad_entries_fail_before_anything_changes_naming_each_entry(workloads, workload, info):
    result = workloads([workload("ok"), workload("web", memory="12XB"), workload("typo", colour="red"),
                        {"name": "noimage"}])
    assert_clean_failure(result, "workloads[1] (web): memory '12XB' is not a size",
                         "workloads[2] (typo): unknown key colour",
                         "workloads[3] (noimage): image is required unless state is absent")
    assert info("ok") is None


def test_pull_always_follows_a_moved_tag_and_recreates_only_its_workload(
        workloads, workload, registry, publish, repo, busybox_archive, busybox_v2_archive, containerd, namespace,
        info):
    ref = publish(registry, busybox_archive, repo, "1")[0]
    entries = [workload("web", image=ref, pull="always"), workload("other")]
    assert workloads(entries, plain_http=True)["status"] == "changed"
    assert workloads(entries, plain_http=True)["status"] == "ok"  # the tag did not move: nothing to do
    other_created = info("other")["CreatedAt"]

    new = publish(registry, busybox_v2_archive, repo, "1")[1]
    check = workloads(entries, plain_http=True, check=True)
    assert check["status"] == "changed", check
    assert check["workloads"][0]["actions"] == ["pulled image %s" % ref, "stopped task web", "deleted task web",
                                                "deleted container web", "created container web", "started task web"]
    assert check["workloads"][1]["changed"] is False
    assert image_marker(containerd, namespace, "web") == "v1"  # check mode changed nothing

    real = workloads(entries, plain_http=True)
    assert real["status"] == "changed", real
    # the real run also says how the task stopped ("stopped task web with SIGTERM")
    assert [action.split(" with ")[0] for action in real["workloads"][0]["actions"]] == check["workloads"][0]["actions"]
    assert image_marker(containerd, namespace, "web") == "v2"
    assert info("other")["CreatedAt"] == other_created
    assert [row.split()[2] for row in containerd.lines("images", "ls", namespace=namespace)[1:]
            if row.split()[0] == ref] == [new]
    assert workloads(entries, plain_http=True)["status"] == "ok"
