# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Assertions shared by the integration tests."""


def assert_clean_failure(result, *fragments):
    """The task failed with a message (containing each fragment), not with a Python traceback."""
    assert result["status"] == "failed", result
    # ansible-core 2.19 adds exception="(traceback unavailable)" to every fail_json: only a real one counts
    assert "Traceback" not in str(result.get("exception", "")), result
    assert "module_stdout" not in result and "MODULE FAILURE" not in result["msg"], result
    assert "Traceback" not in result["msg"], result["msg"]
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
