# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-harness callback: writes every task result of a run, as JSON, to $RECORD_FILE."""

from __future__ import annotations

DOCUMENTATION = r"""
name: record
type: aggregate
short_description: Record task results as JSON for the test harness
description:
  - Writes a list of task results to the file named by E(RECORD_FILE) when the play ends.
requirements:
  - enabled in configuration
"""

import json
import os

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.records = []

    def _record(self, status, result):
        data = dict(getattr(result, "result", None) or result._result)
        if status == "ok" and data.get("changed"):
            status = "changed"
        task = getattr(result, "task", None) or result._task
        host = getattr(result, "host", None) or result._host
        self.records.append({"task": task.get_name(), "host": host.get_name(), "status": status, "result": data})

    def v2_runner_on_ok(self, result, **kwargs):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result, **kwargs):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._record("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("RECORD_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump(self.records, handle, cls=AnsibleJSONEncoder)
