# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The namespace module against real containerd 1.6, 1.7 and 2.x."""
import pytest

from harness.assertions import assert_clean_failure


def ns_names(containerd):
    return containerd.namespaces()


def ns_labels(containerd, name):
    for line in containerd.lines("namespaces", "ls")[1:]:
        parts = line.split(None, 1)
        if parts[0] == name:
            return dict(item.split("=", 1) for item in parts[1].strip().split(",")) if len(parts) > 1 else {}
    return None


def test_check_mode_predicts_creation_and_creates_nothing(ansible, containerd, namespace):
    result = ansible.module("namespace", {"name": namespace}, check=True)
    assert result["status"] == "changed"
    assert result["namespace"] == {"name": namespace, "labels": {}}
    assert namespace not in ns_names(containerd)


def test_create_then_second_run_is_unchanged(ansible, containerd, namespace):
    converged = ansible.converge("namespace", {"name": namespace, "labels": {"team": "web"}},
                                 observe=lambda: ns_labels(containerd, namespace))
    assert converged.before is None
    assert converged.after == {"team": "web"}


def test_labels_are_added_changed_and_removed_with_a_diff(ansible, containerd, namespace):
    containerd.ctr("namespaces", "create", namespace, "keep=1", "change=old", "drop=x")
    converged = ansible.converge("namespace", {"name": namespace, "labels": {
        "change": "new", "drop": None, "add": "yes"}}, observe=lambda: ns_labels(containerd, namespace), expect_diff={
        "before": {"labels": {"keep": "1", "change": "old", "drop": "x"}},
        "after": {"labels": {"keep": "1", "change": "new", "add": "yes"}},
    })
    assert converged.after == {"keep": "1", "change": "new", "add": "yes"}


def test_check_mode_predicts_a_label_change_and_changes_nothing(ansible, containerd, namespace):
    containerd.ctr("namespaces", "create", namespace, "team=web")
    result = ansible.module("namespace", {"name": namespace, "labels": {"team": "db"}}, check=True, diff=True)
    assert result["status"] == "changed"
    assert result["diff"]["after"] == {"labels": {"team": "db"}}
    assert ns_labels(containerd, namespace) == {"team": "web"}


def test_purge_labels_removes_labels_not_listed(ansible, containerd, namespace):
    containerd.ctr("namespaces", "create", namespace, "a=1", "b=2")
    result = ansible.module("namespace", {"name": namespace, "labels": {"a": "1"}, "purge_labels": True})
    assert result["status"] == "changed"
    assert ns_labels(containerd, namespace) == {"a": "1"}


def test_absent_removes_the_namespace_and_then_is_unchanged(ansible, containerd, namespace):
    containerd.ctr("namespaces", "create", namespace)
    converged = ansible.converge("namespace", {"name": namespace, "state": "absent"},
                                 observe=lambda: namespace in ns_names(containerd))
    assert converged.before is True
    assert converged.after is False


def test_absent_on_a_missing_namespace_is_ok(ansible, namespace):
    result = ansible.module("namespace", {"name": namespace, "state": "absent"})
    assert result["status"] == "ok"
    assert result["namespace"] is None


@pytest.mark.parametrize("check", [False, True], ids=["real", "check"])
def test_removing_a_non_empty_namespace_fails_with_a_listing_and_removes_nothing(
        ansible, containerd, namespace, busybox, check):
    containerd.ctr("containers", "create", busybox, "web1", "sleep", "100", namespace=namespace)
    result = ansible.module("namespace", {"name": namespace, "state": "absent"}, check=check)
    assert_clean_failure(result, "not empty", "images (1): " + busybox, "containers (1): web1", "snapshots")
    assert result["contents"]["containers"] == ["web1"]
    assert namespace in ns_names(containerd)
    assert containerd.lines("containers", "ls", "-q", namespace=namespace) == ["web1"]
    assert containerd.lines("images", "ls", "-q", namespace=namespace) == [busybox]


BAD_NAMES = {
    "space": "bad name",
    "leading-dash": "-web",
    "leading-dot": ".web",
    "slash": "team/web",
    "too-long": "a" * 77,
    "empty": "",
}


def test_invalid_namespace_names_fail_before_anything_runs(ansible, containerd):
    before = ns_names(containerd)
    play = ansible.run([{"name": key, "containerd.runtime.namespace": {"name": value}}
                        for key, value in BAD_NAMES.items()])
    assert play.statuses() == ["failed"] * len(BAD_NAMES), play
    for index, value in enumerate(BAD_NAMES.values()):
        assert "cmd" not in play[index], play[index]
        message = "must not be empty" if value == "" else "characters long" if len(value) > 76 else "not a valid"
        assert_clean_failure(dict(play[index], status="failed"), message)
    assert ns_names(containerd) == before


def test_a_label_value_with_a_comma_is_rejected(ansible, containerd, namespace):
    result = ansible.module("namespace", {"name": namespace, "labels": {"list": "a,b"}})
    assert_clean_failure(result, "must not contain ','")
    assert namespace not in ns_names(containerd)
