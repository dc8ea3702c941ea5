#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The integration tests on another ansible-core release (its venv from scripts/core-venv.sh; the harness runs
# the ansible-playbook of the Python that runs pytest):
#   scripts/integration-core.sh 2.17            the subset make test runs: the tests of what depends on
#                                               ansible-core (action plugins, filters, module_defaults
#                                               groups, role argument specs, playbooks with serial and
#                                               max_fail_percentage, module results) on containerd 2.x
#   scripts/integration-core.sh 2.17 --full     the whole suite on every containerd (~25 min, 2 workers)
# Extra arguments go to pytest. TEST_WORKERS sets the number of xdist workers (default 2).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ver=${1:?usage: integration-core.sh <2.17|2.18|2.19> [--full] [pytest args]}; shift
VENV=$(bash scripts/core-venv.sh "$ver") || exit 1
SUBSET=(
  tests/integration/test_namespace.py
  tests/integration/test_containerd_info.py
  tests/integration/test_connection_errors.py
  tests/integration/install/test_install_check_mode.py
  tests/integration/roles/test_role_containerd_config.py
  tests/integration/fleet/test_workloads_role_arguments.py
  tests/integration/fleet/test_deploy.py
)
select=("${SUBSET[@]}" -k "containerd-2.x or not containerd-")
if [ "${1:-}" = --full ]; then shift; select=(tests/integration); fi
mkdir -p .build/reports
echo "ansible-core $("$VENV/bin/python" -c 'import ansible; print(ansible.__version__)') ($VENV)"
exec "$VENV/bin/python" -m pytest --junitxml=".build/reports/integration-core-$ver.xml" -q \
  -n "${TEST_WORKERS:-2}" --dist loadgroup "${select[@]}" "$@"
