# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Commands the container tests run in busybox."""

# A workload that stops on SIGTERM (busybox httpd or sleep as PID 1 ignore it: PID 1 has no default handlers)
GRACEFUL = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
