# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences, labels_delta
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import (
    identifier_error,
    label_errors,
)


@pytest.mark.parametrize("name", ["web", "k8s.io", "a-b_c.d", "A1", "x" * 76])
def test_valid_identifiers(name):
    assert identifier_error(name) is None


@pytest.mark.parametrize("name, fragment", [
    ("", "must not be empty"), ("bad name", "not a valid"), ("-web", "not a valid"), (".web", "not a valid"),
    ("team/web", "not a valid"), ("a" * 77, "77 characters long"), ("web-", "not a valid"), ("a..b", "not a valid"),
])
def test_invalid_identifiers_say_why(name, fragment):
    assert fragment in identifier_error(name)


def test_labels_ctr_cannot_round_trip_are_rejected():
    assert label_errors({"a": "x,y"}) and label_errors({"a=b": "1"}) and label_errors({"": "1"})
    assert label_errors({"a": "1", "b": None}) == []


@pytest.mark.parametrize("key", ["-x", "--replace-all", "--replace-all=true"])
def test_a_label_key_that_starts_like_a_flag_is_rejected_naming_the_option(key):
    (message,) = label_errors({key.split("=")[0]: "1"})
    assert "(labels) must not start with '-'" in message and "ctr 1.6 and 1.7" in message


def test_labels_delta_sets_changes_and_removes():
    changes, result = labels_delta({"keep": "1", "old": "x", "drop": "y"}, {"old": "z", "drop": None, "new": 5})
    assert changes == {"old": "z", "drop": None, "new": "5"}
    assert result == {"keep": "1", "old": "z", "new": "5"}


def test_labels_delta_purges_only_when_asked():
    assert labels_delta({"a": "1", "b": "2"}, {"a": "1"})[0] == {}
    assert labels_delta({"a": "1", "b": "2"}, {"a": "1"}, purge=True)[0] == {"b": None}


def test_differences_give_changed_and_diff():
    differences = Differences()
    assert not differences
    assert differences.compare("same", 1, 1) is False
    differences.compare("labels", {}, {"a": "1"})
    assert differences.names == ["labels"]
    assert differences.diff() == {"before": {"labels": {}}, "after": {"labels": {"a": "1"}}}
