# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Installing binaries from release archives: release names, URLs and checksums, staged atomic installs
# with a manifest, and the converge code of containerd_install. Private. May import _common.
