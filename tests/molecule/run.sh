#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run one molecule scenario of extensions/molecule/ with the harness environment.
#
#   tests/molecule/run.sh <scenario> [molecule options...]     # molecule test -s <scenario>
#   MOLECULE_COMMAND=converge tests/molecule/run.sh <scenario>  # any other molecule command
#   MOLECULE_COMMAND=destroy  tests/molecule/run.sh <scenario>
#
# Calls setup.sh first (a fraction of a second once everything is cached).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$(dirname "$0")/env.sh"
cd "$REPO"

scenario=${1:?usage: $0 <scenario> [molecule options...]}
shift
[ -f "extensions/molecule/$scenario/molecule.yml" ] || {
  echo "no scenario extensions/molecule/$scenario/molecule.yml" >&2
  exit 2
}

bash "$MOLECULE_HARNESS_DIR/setup.sh" >/dev/null
# ansible_collections/containerd/runtime -> this checkout (as scripts/bootstrap.sh links it)
mkdir -p "$COLLECTIONS_DIR/ansible_collections/containerd"
[ -e "$COLLECTIONS_DIR/ansible_collections/containerd/runtime" ] ||
  ln -s "$REPO" "$COLLECTIONS_DIR/ansible_collections/containerd/runtime"

# container and network names of this checkout: <prefix>-<scenario>[-<host>]
MOLECULE_HOST_PREFIX=${MOLECULE_HOST_PREFIX:-mol$(printf '%s' "$REPO" | sha256sum | cut -c1-6)}
export MOLECULE_HOST_PREFIX
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
exec molecule "${MOLECULE_COMMAND:-test}" -s "$scenario" "$@"
