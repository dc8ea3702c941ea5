# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# What every module shares: module glue (connection options, building the client, the run context, failing), the diff
# helper, containerd identifier rules, atomic file writes, the one error hierarchy, and the small converge code
# of the namespace and containerd_info modules. Private to this
# collection. Imports nothing of the collection outside _common (and _ctr for building a client).
