# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The parameters the converge tests hand the container converge code."""
from ansible_collections.containerd.runtime.plugins.module_utils._container import options


def container(**params):
    """The container module's parameters: its defaults, then ``params``."""
    out = dict((name, option.get("default")) for name, option in options.container_spec().items())
    out.update(address="/a.sock", namespace="apps", ctr_path=None, timeout=30, cni_conf_dir=None, cni_bin_dir=None,
               cni_cache_dir=None)
    out.update(params)
    return out
