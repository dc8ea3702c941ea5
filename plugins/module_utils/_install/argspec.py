# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The argument spec of ``containerd_install``, declared once: the module validates with it, and its action
plugin reads the defaults of the options it looks at before the module runs."""

from __future__ import annotations

from ansible_collections.containerd.runtime.plugins.module_utils._install.release import NAMES

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, choices=list(NAMES)),
    version=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    arch=dict(type="str"),
    prefix=dict(type="path", default="/"),
    dest=dict(type="path"),
    bundle=dict(type="str", choices=["cri"]),
    url=dict(type="str"),
    mirror=dict(type="str"),
    checksum=dict(type="str", no_log=False),
    download_on=dict(type="str", default="controller", choices=["controller", "host"]),
    cache_dir=dict(type="path"),
    archive=dict(type="path"),
    timeout=dict(type="int", default=60),
    retries=dict(type="int", default=3),
    validate_certs=dict(type="bool", default=True),
    url_username=dict(type="str", no_log=False),
    url_password=dict(type="str", no_log=True),
    url_headers=dict(type="dict", no_log=True),
    allow_unverified=dict(type="bool", default=False),
)

MUTUALLY_EXCLUSIVE = [("url", "mirror")]


def option(args, name):
    """The value of option ``name`` in task ``args`` as given, else its default."""
    value = args.get(name)
    return ARGUMENT_SPEC[name].get("default") if value is None else value
