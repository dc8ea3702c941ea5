# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""harness.sequence.converge: the four-step sequence asserts each step and names the one that failed.

These drive the helper with scripted task results (no daemon): what a module would return at each step.
"""
import types

import pytest

from harness.ansible import PlayResult
from harness.sequence import converge

CHANGED = {"status": "changed", "actions": ["set label a"], "diff": {"before": {"a": None}, "after": {"a": "1"}}}
OK = {"status": "ok", "actions": [], "diff": {"before": {}, "after": {}}}


class ScriptedAnsible:
    """Stands in for ``Ansible.run``: answers each task with the next scripted result and runs ``effects``
    (callables) as the matching task "runs"; records the plays it was given."""

    def __init__(self, *results, effects=None):
        self.results = list(results)
        self.effects = dict(effects or {})
        self.plays = []

    def run(self, tasks, **kwargs):
        self.plays.append((tasks, kwargs))
        records = []
        for task in tasks:
            index = sum(len(play) for play, _kwargs in self.plays) - len(tasks) + len(records)
            self.effects.get(index, lambda: None)()
            result = dict(self.results[index])
            records.append({"task": task["name"], "status": result.pop("status"), "result": result})
        return PlayResult(records, types.SimpleNamespace(returncode=0, stdout="", stderr=""))


def failure(ansible, **kwargs):
    with pytest.raises(AssertionError) as error:
        converge(ansible, "namespace", {"name": "x"}, **kwargs)
    return str(error.value)


def test_a_truthful_module_passes_and_the_four_results_and_observations_are_returned():
    state = {"a": None}
    ansible = ScriptedAnsible(CHANGED, CHANGED, OK, OK, effects={1: lambda: state.update(a="1")})
    converged = converge(ansible, "namespace", {"name": "x"}, observe=lambda: dict(state),
                         expect_diff=CHANGED["diff"], defaults={"namespace": "t"})
    check, real, check_again, real_again = converged
    assert (check["status"], real["status"], check_again["status"], real_again["status"]) == \
        ("changed", "changed", "ok", "ok")
    assert converged.before == {"a": None} and converged.after == {"a": "1"}
    tasks = [task for play, _kwargs in ansible.plays for task in play]
    assert [(task["check_mode"], task["diff"]) for task in tasks] == [(True, True), (False, True), (True, True),
                                                                      (False, True)]
    assert all(task["containerd.runtime.namespace"] == {"name": "x"} for task in tasks)
    assert [len(play) for play, _kwargs in ansible.plays] == [1, 1, 2]
    assert all(kwargs == {"defaults": {"namespace": "t"}} for _play, kwargs in ansible.plays)


def test_check_mode_that_reports_no_change_fails_step_1():
    message = failure(ScriptedAnsible(OK, CHANGED, OK, OK))
    assert message.startswith("containerd.runtime.namespace, step 1 of 4 (check mode): expected status 'changed'")


def test_check_mode_that_changes_what_the_test_observes_fails_step_1():
    state = {"a": None}
    message = failure(ScriptedAnsible(CHANGED, CHANGED, OK, OK, effects={0: lambda: state.update(a="1")}),
                      observe=lambda: dict(state))
    assert "step 1 of 4 (check mode): expected to change nothing observable: {'a': None}, got {'a': '1'}" \
        in message


def test_a_real_run_that_does_other_than_check_mode_predicted_fails_step_2():
    real = dict(CHANGED, actions=["set label b"])
    message = failure(ScriptedAnsible(CHANGED, real, OK, OK))
    assert "step 2 of 4 (real run): expected the actions check mode predicted: ['set label a'], " \
           "got ['set label b']" in message


def test_a_real_run_whose_diff_differs_from_the_prediction_fails_step_2_unless_not_predicted():
    real = dict(CHANGED, diff={"before": {"a": None}, "after": {"a": "2"}})
    assert "step 2 of 4 (real run): expected the diff check mode predicted" in \
        failure(ScriptedAnsible(CHANGED, real, OK, OK))
    converge(ScriptedAnsible(CHANGED, real, OK, OK), "namespace", {"name": "x"}, predicted=("actions", "differences"))


def test_an_idempotent_check_that_reports_a_change_fails_step_3():
    message = failure(ScriptedAnsible(CHANGED, CHANGED, CHANGED, OK))
    assert "step 3 of 4 (idempotent check mode): expected status 'ok', got 'changed'" in message


def test_an_idempotent_run_with_a_diff_or_actions_fails_step_4():
    with_diff = dict(OK, diff={"before": {"a": "1"}, "after": {"a": "2"}})
    assert "step 4 of 4 (idempotent real run): expected an empty diff (before == after)" in \
        failure(ScriptedAnsible(CHANGED, CHANGED, OK, with_diff))
    with_actions = dict(OK, actions=["touched"])
    assert "step 4 of 4 (idempotent real run): expected no actions, got ['touched']" in \
        failure(ScriptedAnsible(CHANGED, CHANGED, OK, with_actions))


def test_an_idempotent_run_that_changes_what_the_test_observes_fails_step_4():
    state = {"a": "1"}
    message = failure(ScriptedAnsible(CHANGED, CHANGED, OK, OK, effects={3: lambda: state.update(a="2")}),
                      observe=lambda: dict(state))
    assert "step 4 of 4 (idempotent real run): expected to change nothing observable" in message


def test_an_unexpected_diff_fails_the_step_that_reported_it():
    assert "step 1 of 4 (check mode): expected diff {'before': {}, 'after': {'a': '1'}}" in \
        failure(ScriptedAnsible(CHANGED, CHANGED, OK, OK), expect_diff={"before": {}, "after": {"a": "1"}})

    def after_is_2(diff):
        assert diff["after"] == {"a": "2"}, "after must be a=2"

    assert "step 1 of 4 (check mode): expected a diff the test's expect_diff accepts (after must be a=2" in \
        failure(ScriptedAnsible(CHANGED, CHANGED, OK, OK), expect_diff=after_is_2)


def test_the_failure_shows_the_module_message_and_result():
    failed = {"status": "failed", "msg": "ctr: boom"}
    message = failure(ScriptedAnsible(CHANGED, failed, OK, OK))
    assert "step 2 of 4 (real run): expected status 'changed', got 'failed'\n  msg: ctr: boom\n  result: " \
        in message


def test_again_args_are_the_options_of_the_idempotent_runs():
    ansible = ScriptedAnsible(CHANGED, CHANGED, OK, OK)
    converge(ansible, "image", {"name": "x"}, again_args={"name": "x", "pull": "always"})
    tasks = [task for play, _kwargs in ansible.plays for task in play]
    assert [task["containerd.runtime.image"] for task in tasks] == [{"name": "x"}] * 2 + \
        [{"name": "x", "pull": "always"}] * 2


def test_without_observe_the_four_tasks_run_in_one_play():
    ansible = ScriptedAnsible(CHANGED, CHANGED, OK, OK)
    converge(ansible, "namespace", {"name": "x"})
    assert [[task["name"] for task in play] for play, _kwargs in ansible.plays] == [
        ["check mode", "real run", "idempotent check mode", "idempotent real run"]]
