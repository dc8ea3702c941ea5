#!/usr/bin/env bash
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
  for pkg in shellcheck git make openssl apache2-utils iptables iproute2 kmod; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
  [ ${#need[@]} -eq 0 ] && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

pytest_run() {  # pytest_run <junit file> <args...>
  local junit=$1; shift
  "$REPO/.venv/bin/python" -m pytest --junitxml="$junit" "$@"
}

collection_build() {
  local module name
  rm -rf .build/dist .build/installed && mkdir -p .build/dist .build/installed
  .venv/bin/ansible-galaxy collection build --force --output-path .build/dist &&
  ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed .venv/bin/ansible-galaxy collection install --offline \
    -p .build/installed .build/dist/containerd-runtime-*.tar.gz &&
  for module in plugins/modules/*.py; do
    name=$(basename "$module" .py)
    ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed .venv/bin/ansible-doc "containerd.runtime.$name" >/dev/null ||
      { echo "ansible-doc failed for $name"; return 1; }
    echo "ansible-doc containerd.runtime.$name: ok"
  done
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
stage "ansible-test sanity" bash scripts/sanity.sh
stage "ansible-lint" lint

echo
echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
.venv/bin/python scripts/junit-total.py .build/reports/unit.xml .build/reports/integration.xml
exit $FAILED
