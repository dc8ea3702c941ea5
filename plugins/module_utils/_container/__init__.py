# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Containers and their tasks: the option table, the desired spec from options and the image config and
# its comparison with the real record, containers on CNI networks, the converge code of the container and
# task modules, and safe stops/starts with the restart monitor. Private. May import _common, _ctr, _cni, _image.
