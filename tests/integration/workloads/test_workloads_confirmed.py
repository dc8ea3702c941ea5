# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A workloads run that changes nothing confirms the containers the collection created with one filtered
``containers ls`` per namespace (their fingerprint label, _container/fingerprint.py) and reads no record —
containerd's filter syntax as the real ctr and daemon of each release parse it; what moved is still found."""

LABELS = {"app.kubernetes.io/name": "web", "note": 'a "quoted" value\\with a backslash'}


def test_a_noop_run_reads_no_container_record(workloads, workload, logged_ctr):
    entries = [workload("c%d" % index, labels=LABELS, env={"N": str(index)}) for index in range(3)]
    first = workloads(entries, ctr_path=logged_ctr.path)
    assert first["status"] == "changed", first
    logged_ctr.clear()
    second = workloads(entries, ctr_path=logged_ctr.path)
    assert second["status"] == "ok", second
    assert logged_ctr.count("containers info") == 0, logged_ctr.calls()
    assert logged_ctr.count("containers ls") == 1, logged_ctr.calls()
    assert [item["container"]["env"]["N"] for item in second["workloads"]] == ["0", "1", "2"]


def test_a_label_changed_by_hand_is_read_and_the_workload_recreated(
        workloads, workload, containerd, namespace, logged_ctr, info):
    entries = [workload("a", labels=LABELS), workload("b", labels=LABELS)]
    workloads(entries, ctr_path=logged_ctr.path)
    containerd.ctr("containers", "label", "b", "note=moved", namespace=namespace)
    logged_ctr.clear()
    result = workloads(entries, ctr_path=logged_ctr.path)
    assert [item["changed"] for item in result["workloads"]] == [False, True]
    assert result["workloads"][1]["differences"] == ["labels"]
    assert info("b")["Labels"]["note"] == LABELS["note"]
    assert workloads(entries, ctr_path=logged_ctr.path)["status"] == "ok"


def test_a_container_created_without_a_fingerprint_is_read_and_compared(
        workloads, workload, containerd, namespace, logged_ctr):
    entries = [workload("old")]
    workloads(entries, ctr_path=logged_ctr.path)
    containerd.ctr("containers", "label", "old", "containerd.runtime/fingerprint=", namespace=namespace)
    logged_ctr.clear()
    assert workloads(entries, ctr_path=logged_ctr.path)["status"] == "ok"
    assert logged_ctr.count("containers info") == 1, logged_ctr.calls()
