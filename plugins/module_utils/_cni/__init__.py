# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# CNI: the runtime (netns, ADD/CHECK/DEL, the result cache), conflists and their validation, and the
# converge code of the cni_network module. Private to this collection. May import _common.
