# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The argument spec of ``containerd_config``, declared once: its action plugin validates the task's
arguments with it, and the module stub (plugins/modules/containerd_config.py) declares it for ansible-doc and
ansible-test."""

from __future__ import annotations

ARGUMENT_SPEC = dict(
    path=dict(type="path", default="/etc/containerd/config.toml"),
    containerd_path=dict(type="path", default="containerd"),
    settings=dict(type="dict", default={}),
    overrides=dict(type="dict", default={}),
    mode=dict(type="raw", default="0644"),
    owner=dict(type="str"),
    group=dict(type="str"),
    previous_path=dict(type="path"),
    validate=dict(type="bool", default=True),
    layout=dict(type="str", default="file", choices=["file", "dropin"]),
    dropin_path=dict(type="path", default="/etc/containerd/conf.d/50-containerd-runtime.toml"),
)
