# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The ONLY code that runs ctr: the client (CtrClient) and its per-object operations, the parsers of ctr
# output, the classification of ctr failures into typed errors, the version table, and the read-once cache of
# the batch module. Private to this collection (no API promise). May import _common only.
