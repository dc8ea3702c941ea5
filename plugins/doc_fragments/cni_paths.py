# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """Where the CNI configuration, plugins and cache are: the options of modules that attach containers to networks."""

    DOCUMENTATION = r"""
options:
  cni_conf_dir:
    description: Directory of the CNI network configuration files.
    type: path
    default: /etc/cni/net.d
  cni_bin_dir:
    description: Directories where the CNI plugin binaries are, searched in order (C(CNI_PATH)).
    type: list
    elements: path
    default: [/opt/cni/bin]
  cni_cache_dir:
    description: libcni's cache directory, where attachment results are kept for C(CHECK) and C(DEL).
    type: path
    default: /var/lib/cni
"""
