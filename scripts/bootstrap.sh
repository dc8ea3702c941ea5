#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Create .venv with the pinned Python requirements (idempotent: reinstalls only when a requirements
# file changed) and link this checkout as ansible_collections/containerd/runtime under .build/.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=${1:-requirements-test.txt}
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$REQ")
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r "$REQ"
  touch "$stamp"
fi
mkdir -p .build/collections/ansible_collections/containerd
[ -e .build/collections/ansible_collections/containerd/runtime ] || \
  ln -s "$PWD" .build/collections/ansible_collections/containerd/runtime
