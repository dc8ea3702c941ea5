# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge sequence every change-making module is held to: check mode, real run, idempotent check, idempotent
real run, each with ``--diff`` (community.docker's integration targets write the same four tasks out).

``converge(ansible, module, args, ...)`` (also ``ansible.converge(...)``) runs it in three plays (check | real |
both idempotent runs) so that ``observe`` - a callback returning what the test can see of the host (a listing, a
file, a mount) - is read before and after the check run and after the real and the idempotent runs; without
``observe`` the four tasks run in one play. It asserts:

1. check mode reports ``changed`` and changes nothing observable;
2. the real run reports ``changed`` with the ``actions``, ``differences`` and ``diff`` check mode predicted
   (where the module returns them; ``predicted`` names fewer keys where check mode cannot know the outcome,
   e.g. the address an IPAM plugin hands out or the files of an archive it does not download);
3. and 4. the idempotent check and real runs report ``ok`` with an empty diff (``before == after``), no
   ``actions`` and no ``differences``, and change nothing observable;

and, with ``expect_diff``, that check mode's and the real run's ``diff`` equal it (a dict) or satisfy it (a
callable given the diff: it asserts, or returns False to fail). A failed expectation raises one AssertionError
naming the step, what was expected and the step's result.
"""

STEPS = ("check mode", "real run", "idempotent check mode", "idempotent real run")


class Converged:
    """The four results (``check``, ``real``, ``check_again``, ``real_again``; iterable in that order) and what
    ``observe`` saw: ``before`` (before the check run, and unchanged by it) and ``after`` (after the real run,
    and unchanged by the idempotent runs)."""

    def __init__(self, results, before=None, after=None):
        self.check, self.real, self.check_again, self.real_again = results
        self.before = before
        self.after = after

    def __iter__(self):
        return iter((self.check, self.real, self.check_again, self.real_again))


def _fail(module, step, expected, got, result):
    __tracebackhide__ = True
    message = "%s, step %d of 4 (%s): expected %s, got %r" % (module, STEPS.index(step) + 1, step, expected, got)
    if result is not None:
        if result.get("msg"):
            message += "\n  msg: %s" % result["msg"]
        message += "\n  result: %r" % (result,)
    raise AssertionError(message)


def _expect_status(module, step, result, status):
    __tracebackhide__ = True
    if result["status"] != status:
        _fail(module, step, "status %r" % status, result["status"], result)


def _expect_observed(module, step, before, after, result):
    __tracebackhide__ = True
    if after != before:
        _fail(module, step, "to change nothing observable: %r" % (before,), after, result)


def _expect_diff(module, step, expected, result):
    __tracebackhide__ = True
    diff = result.get("diff")
    if callable(expected):
        try:
            ok = expected(diff)
        except AssertionError as error:
            _fail(module, step, "a diff the test's expect_diff accepts (%s)" % (error,), diff, result)
        if ok is False:
            _fail(module, step, "a diff the test's expect_diff accepts", diff, result)
    elif diff != expected:
        _fail(module, step, "diff %r" % (expected,), diff, result)


def _expect_no_change(module, step, result):
    __tracebackhide__ = True
    _expect_status(module, step, result, "ok")
    diff = result.get("diff") or {}
    if diff.get("before") != diff.get("after"):
        _fail(module, step, "an empty diff (before == after)", diff, result)
    for key in ("actions", "differences"):
        if result.get(key):
            _fail(module, step, "no %s" % key, result[key], result)


def _task(module, args, step):
    return {"name": step, module: args, "check_mode": step.endswith("check mode"), "diff": True}


def _results(play, steps):
    __tracebackhide__ = True
    if len(play) != len(steps):
        raise AssertionError("expected %d task result(s) for %s, got %d: %r" % (len(steps), steps, len(play), play))
    return [dict(play[index], status=play.status(index)) for index in range(len(steps))]


def converge(ansible, module, args=None, observe=None, expect_diff=None, predicted=("actions", "differences", "diff"),
             again_args=None,
             **run_kwargs):
    """Run and assert the check -> real -> idempotent check -> idempotent real sequence (see the module doc).

    ``module`` is a module name (``image`` means ``containerd.runtime.image``), ``args`` its options,
    ``again_args`` other options for the idempotent runs (default: ``args``), ``run_kwargs`` go to
    ``Ansible.run`` (``defaults``, ``env``, ...). Returns a ``Converged``.
    """
    __tracebackhide__ = True
    if "." not in module:
        module = "containerd.runtime." + module
    args = dict(args or {})
    again_args = args if again_args is None else dict(again_args)
    look = observe or (lambda: None)

    if observe is None:  # nothing to look at between the steps: all four tasks in one play
        results = _results(ansible.run([_task(module, args, step) for step in STEPS[:2]] +
                                       [_task(module, again_args, step) for step in STEPS[2:]], **run_kwargs), STEPS)
        plays = iter([results[:1], results[1:2], results[2:]])
    else:
        plays = None

    def play(steps, options):
        __tracebackhide__ = True
        if plays is not None:
            return next(plays)
        return _results(ansible.run([_task(module, options, step) for step in steps], **run_kwargs), steps)

    before = look()
    check, = play(STEPS[:1], args)
    _expect_status(module, STEPS[0], check, "changed")
    if expect_diff is not None:
        _expect_diff(module, STEPS[0], expect_diff, check)
    _expect_observed(module, STEPS[0], before, look(), check)

    real, = play(STEPS[1:2], args)
    _expect_status(module, STEPS[1], real, "changed")
    for key in predicted:
        if key in check and key in real and check[key] != real[key]:
            _fail(module, STEPS[1], "the %s check mode predicted: %r" % (key, check[key]), real[key], real)
    if expect_diff is not None:
        _expect_diff(module, STEPS[1], expect_diff, real)
    after = look()

    again = play(STEPS[2:], again_args)
    for step, result in zip(STEPS[2:], again):
        _expect_no_change(module, step, result)
    _expect_observed(module, STEPS[3], after, look(), again[1])
    return Converged([check, real] + again, before, after)
