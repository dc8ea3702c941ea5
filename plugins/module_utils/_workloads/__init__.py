# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The workloads batch module: entries checked against the container option table, the batch that runs
# the container/task converge code per entry with bulk reads, and health checks. Private. May import any
# other subpackage.
