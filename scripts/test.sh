#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Stages are functions called through stage(); shellcheck cannot see those calls.
# shellcheck disable=SC2317
# The README's test command: installs what the tests need, then runs every stage and prints a timing
# summary. Exits non-zero when any stage fails (all stages run, so one failure does not hide another).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
export PYTHONDONTWRITEBYTECODE=1
declare -a SUMMARY=()
FAILED=0

stage() {  # stage <name> <command...>
  local name=$1; shift
  local start=$SECONDS
  echo "=== $name"
  if "$@"; then
    SUMMARY+=("$(printf '%-22s ok      %4ds' "$name" $((SECONDS - start)))")
  else
    SUMMARY+=("$(printf '%-22s FAILED  %4ds' "$name" $((SECONDS - start)))")
    FAILED=1
  fi
}

system_packages() {
  local need=()
  for pkg in shellcheck git make openssl apache2-utils iptables iproute2 kmod debootstrap debian-archive-keyring; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
  [ ${#need[@]} -eq 0 ] && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

pytest_run() {  # pytest_run <junit file> <args...>
  local junit=$1; shift
  "$REPO/.venv/bin/python" -m pytest --junitxml="$junit" "$@"
}

collection_build() {  # build, install offline, and render every plugin's and role's docs from the install
  local dir type name rc=0 out installed=$REPO/.build/installed/ansible_collections/containerd/runtime
  rm -rf .build/dist .build/installed && mkdir -p .build/dist .build/installed
  .venv/bin/ansible-galaxy collection build --force --output-path .build/dist &&
  ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed .venv/bin/ansible-galaxy collection install --offline \
    -p .build/installed .build/dist/containerd-runtime-*.tar.gz || return 1
  # plugin types by directory, so new ones (connection, inventory, ...) are covered when they arrive;
  # filter and test plugins are documented in <name>.yml, the others in <name>.py
  for dir in "$installed"/plugins/*/ "$installed"/roles; do
    type=$(basename "$dir")
    case $type in module_utils|doc_fragments|plugin_utils|action) continue ;; modules) type=module ;; roles) type=role ;; esac
    for name in "$dir"/*; do
      case $type:$name in
        role:*) [ -d "$name" ] || continue ;;
        filter:*.yml|test:*.yml) ;;
        filter:*|test:*) continue ;;
        *:*/__init__.py) continue ;;
        *:*.py) ;;
        *) continue ;;
      esac
      name=$(basename "$name"); name=${name%.*}
      if out=$(ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed ANSIBLE_NOCOLOR=1 .venv/bin/ansible-doc -t "$type" \
          "containerd.runtime.$name" 2>&1) && [[ $out == *"containerd.runtime.$name"* && $out != *WARNING* ]]; then
        echo "ansible-doc -t $type containerd.runtime.$name: ok"
      else
        echo "ansible-doc -t $type containerd.runtime.$name failed:"; echo "$out" | head -20; rc=1
      fi
    done
  done
  return "$rc"
}

# Publishing checks (scripts/: changelog-check.sh, docs.sh, ee-check.sh, spdx-headers.py).
# The SPDX check fails when a tracked .py/.sh file lacks the identifier (SPDX_ENFORCE=0: report only).
spdx_headers() {
  if [ "${SPDX_ENFORCE:-1}" = 1 ]; then python3 scripts/spdx-headers.py --check; else python3 scripts/spdx-headers.py --report | tail -n 1; fi
}
sanity_core() {  # sanity_core <ansible-core version>: ansible-test sanity from that release's venv
  # pylint and pep8 judge the code, not the ansible-core release, and take most of sanity's time: they run
  # once, on 2.19 (stage "ansible-test sanity"); every other test (validate-modules, import, compile,
  # ansible-doc, yamllint, ...) runs on each release
  local venv
  venv=$(bash scripts/core-venv.sh "$1") && ANSIBLE_TEST_VENV=$venv bash scripts/sanity.sh --skip-test pylint --skip-test pep8
}

lint() {
  PATH=$REPO/.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$REPO/.build/collections .venv/bin/ansible-lint --offline
}

mkdir -p .build/reports
stage "system packages" system_packages
stage "test binaries" bash tests/setup/fetch-containerd.sh
stage "python venv" bash scripts/bootstrap.sh requirements-test.txt
stage "unit tests" pytest_run .build/reports/unit.xml -q tests/unit
# Molecule scenarios (podman hosts) run beside the integration tests: both spend most of their time
# waiting on processes, so together they take little more wall time than the longer of the two.
molecule_all() {
  local rc=0 scenario_file scenario start
  bash tests/molecule/setup.sh || return 1
  for scenario_file in extensions/molecule/*/molecule.yml; do
    scenario=${scenario_file#extensions/molecule/}
    scenario=${scenario%/molecule.yml}
    start=$SECONDS
    if bash tests/molecule/run.sh "$scenario" > ".build/reports/molecule-$scenario.log" 2>&1; then
      printf '  molecule %-14s ok      %4ds\n' "$scenario" $((SECONDS - start))
    else
      printf '  molecule %-14s FAILED  %4ds (log: .build/reports/molecule-%s.log)\n' "$scenario" \
        $((SECONDS - start)) "$scenario"
      tail -n 40 ".build/reports/molecule-$scenario.log"
      rc=1
    fi
  done
  return "$rc"
}

molecule_wait() {
  local rc=0
  wait "$MOLECULE_PID" || rc=$?
  cat .build/reports/molecule.log
  return "$rc"
}

# molecule runs beside the integration tests at a lower CPU priority (niceness 10, inherited by its podman
# hosts): under full load containerd's shims lost the output of short processes that tests assert on
( renice -n 10 -p "$BASHPID" >/dev/null 2>&1 || true; molecule_all ) > .build/reports/molecule.log 2>&1 &
MOLECULE_PID=$!
stage "integration tests" pytest_run .build/reports/integration.xml -q -n "${TEST_WORKERS:-3}" --dist loadgroup \
  tests/integration
# The benchmark's smoke size: the script must run end to end; its speed target is met in the full run
# (tests/bench/README.md), never asserted here.
bench_smoke() {
  .venv/bin/python tests/bench/noop_converge.py --sizes 3 --hosts 1 --repeat 1 --no-assert \
    --json .build/reports/bench-noop-converge-smoke.json
}
stage "benchmark smoke" bench_smoke
stage "collection build" collection_build
stage "molecule scenarios" molecule_wait
stage "integration 2.17" bash scripts/integration-core.sh 2.17
stage "ansible-test sanity" bash scripts/sanity.sh
stage "sanity core 2.17" sanity_core 2.17
stage "sanity core 2.18" sanity_core 2.18
stage "changelog" bash scripts/changelog-check.sh
stage "docs site" bash scripts/docs.sh
stage "EE build context" bash scripts/ee-check.sh
stage "SPDX headers" spdx_headers
stage "ansible-lint" lint

echo
echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
.venv/bin/python scripts/junit-total.py .build/reports/unit.xml .build/reports/integration.xml \
  .build/reports/integration-core-2.17.xml
exit $FAILED
