#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# core-venv.sh <2.17|2.18|2.19>: print the path of a virtualenv with that ansible-core release, the
# collection's requirements and the test runner (pytest, xdist), created from PyPI on first use and
# reinstalled only when a requirements file or the pin changes (a stamp, as scripts/bootstrap.sh does).
# 2.19 is the project's main .venv (scripts/bootstrap.sh); the older releases live in .build/venv-core-<ver>.
# The patch releases tested are pinned here: the newest of each line when they were last moved.
set -euo pipefail
cd "$(dirname "$0")/.."
ver=${1:?usage: core-venv.sh <2.17|2.18|2.19>}
declare -A PIN=([2.17]=2.17.14 [2.18]=2.18.19)
if [ "$ver" = 2.19 ]; then
  bash scripts/bootstrap.sh requirements-test.txt >&2
  echo "$PWD/.venv"
  exit 0
fi
[ -n "${PIN[$ver]:-}" ] || { echo "core-venv.sh: no pin for ansible-core $ver (known: 2.17 2.18 2.19)" >&2; exit 2; }
venv=$PWD/.build/venv-core-$ver
stamp=$venv/.installed-${PIN[$ver]}-$(cat requirements*.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -c requirements-test-constraints.txt \
    "ansible-core==${PIN[$ver]}" -r requirements.txt -r requirements-managed-host.txt pytest pytest-xdist >&2
  touch "$stamp"
fi
echo "$venv"
