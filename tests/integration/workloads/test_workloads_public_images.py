# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""workloads: images shaped like public ones (harness/corpus.py) converge once; later runs change nothing (issue 11).

An image's config labels (which ctr copies onto the container), env, working dir, entrypoint and cmd are the
baseline the entries override, never drift: runs 2 and 3 report ``changed=0`` and the tasks keep their PIDs.
"""
from harness import corpus


def task_pids(containerd, namespace):
    """{name: (pid, status)} of the namespace's tasks, from plain ctr."""
    return dict((line.split()[0], (int(line.split()[1]), line.split()[2]))
                for line in containerd.lines("tasks", "ls", namespace=namespace)[1:])


def changed_entries(result):
    return [entry["name"] for entry in result["workloads"] if entry["changed"]]


def test_the_issue_reproduction_changes_once_then_never_again(workloads, labelled, containerd, namespace):
    entries = [{"name": "a", "image": labelled, "command": ["sleep", "3600"]}]
    first = workloads(entries)
    assert first["status"] == "changed" and changed_entries(first) == ["a"], first
    pids = task_pids(containerd, namespace)
    assert pids["a"][1] == "RUNNING"

    predicted = workloads(entries, check=True, diff=True)
    assert predicted["status"] == "ok" and changed_entries(predicted) == [], predicted
    for _run in (2, 3):
        again = workloads(entries, diff=True)
        assert again["status"] == "ok", again
        assert changed_entries(again) == [] and again["workloads"][0]["actions"] == [], again
    assert task_pids(containerd, namespace) == pids


def test_every_corpus_image_converges_once_and_check_mode_predicts_it(workloads, corpus_image, containerd,
                                                                      namespace):
    entries = [{"name": "web", "image": corpus_image.ref}, {"name": "worker", "image": corpus_image.ref,
                                                            "command": ["sleep", "3600"], "env": {"ROLE": "worker"}}]
    runs = [workloads(entries, check=True)]
    created = containerd.lines("containers", "ls", "-q", namespace=namespace)
    runs.append(workloads(entries))
    pids = task_pids(containerd, namespace)
    runs += [workloads(entries, check=True), workloads(entries), workloads(entries)]
    statuses = [run["status"] for run in runs]
    pids_unchanged = task_pids(containerd, namespace) == pids and \
        [status for _pid, status in pids.values()] == ["RUNNING", "RUNNING"]
    corpus.report_idempotence("workloads", corpus_image.shape.name, containerd, statuses, pids_unchanged)

    assert statuses == ["changed", "changed", "ok", "ok", "ok"], runs
    assert created == [], "check mode created containers"
    assert [changed_entries(run) for run in runs[2:]] == [[], [], []], runs[2:]
    assert pids_unchanged, (pids, task_pids(containerd, namespace))
