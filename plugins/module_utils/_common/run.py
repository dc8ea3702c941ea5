# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The run context converge code receives instead of an AnsibleModule: check mode and diff mode."""

from __future__ import annotations


class RunContext(object):
    """How a converge runs: ``check_mode`` (predict, change nothing) and ``diff`` (report before/after)."""

    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self.diff = diff
