# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test harness: real containerd daemons, a busybox image builder and an ansible runner.

Nothing here is a mock: every helper drives real binaries from Debian's archive that
``tests/setup/fetch-containerd.sh`` put in the cache.
"""
