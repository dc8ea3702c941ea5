#!/usr/bin/env bash
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
