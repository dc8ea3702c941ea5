# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """How modules reach containerd: the options every module of the collection takes."""

    DOCUMENTATION = r"""
options:
  address:
    description:
      - Address of containerd's gRPC socket, as C(ctr --address) takes it.
      - Set it once for a play with C(module_defaults) and the group C(group/containerd.runtime.containerd).
      - If not set, the environment variable E(CONTAINERD_ADDRESS) is used.
    type: str
    default: /run/containerd/containerd.sock
  namespace:
    description:
      - The containerd namespace the module works in.
      - If not set, the environment variable E(CONTAINERD_NAMESPACE) is used.
    type: str
    default: default
  ctr_path:
    description:
      - Path of the C(ctr) binary.
      - When not set, C(ctr) is looked up in E(PATH), then in C(/usr/local/bin) and C(/usr/bin).
    type: path
  timeout:
    description:
      - Seconds to wait for containerd to answer each command (C(ctr --connect-timeout) and C(--timeout)).
      - A daemon that does not answer in time fails the task with a message saying so.
    type: int
    default: 30
notes:
  - The modules drive containerd through C(ctr) with argument lists, never through a shell.
  - Errors from containerd are reported with a message that says what to do, plus the failing command
    in RV(ignore:cmd), its return code in RV(ignore:rc) and its error output in RV(ignore:stderr).
"""

    ATTRIBUTES = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
  action_group:
    description: Use C(group/containerd.runtime.containerd) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - containerd.runtime.containerd
"""

    # the modules that converge an object: check mode predicts truthfully, diff mode shows before and after
    CONVERGING = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""
