# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Environment of the molecule harness, sourced by setup.sh and run.sh (and usable by hand:
# `source tests/molecule/env.sh`). Sets variables only; changes nothing on the machine.
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
MOLECULE_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$MOLECULE_HARNESS_DIR/../.." && pwd)

# Same cache root as tests/setup/fetch-containerd.sh
CACHE=${CONTAINERD_RUNTIME_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/containerd-runtime-tests}
MOLECULE_CACHE=$CACHE/molecule

# The systemd host image every scenario boots (built and cached by setup.sh)
export MOLECULE_HOST_IMAGE=${MOLECULE_HOST_IMAGE:-localhost/containerd-runtime-host:bookworm}

# The ansible wheel the containers.podman collection is extracted from (ansible 12.x = ansible-core 2.19)
ANSIBLE_WHEEL_VERSION=${ANSIBLE_WHEEL_VERSION:-12.3.0}
COLLECTIONS_DIR=$REPO/.build/collections

# podman: ulimits, cgroup manager and network backend of the harness, without touching /etc/containers
export CONTAINERS_CONF=$MOLECULE_HARNESS_DIR/containers.conf
export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS_DIR
export PATH=$REPO/.venv/bin:$PATH
