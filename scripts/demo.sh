#!/usr/bin/env bash
# The README's main job: set up a virtualenv, install the collection from its built tarball (offline),
# and run the demo playbook against the host's containerd, or against a throwaway daemon when none runs.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
bash scripts/bootstrap.sh requirements.txt
VENV=$REPO/.venv/bin

rm -rf .build/dist .build/installed && mkdir -p .build/dist .build/installed
"$VENV/ansible-galaxy" collection build --force --output-path .build/dist >/dev/null
ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed "$VENV/ansible-galaxy" collection install --offline -p .build/installed .build/dist/containerd-runtime-*.tar.gz >/dev/null
echo "installed: $(ls .build/dist) -> .build/installed"

ADDRESS=${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}
EXTRA=()
BASE=""
cleanup() { [ -z "$BASE" ] || "$VENV/python" scripts/throwaway-containerd.py stop "$BASE"; }
trap cleanup EXIT
if [ -S "$ADDRESS" ] && ctr --address "$ADDRESS" version >/dev/null 2>&1; then
  echo "using the host's containerd at $ADDRESS"
  EXTRA=(-e "containerd_address=$ADDRESS")
else
  echo "no containerd answers at $ADDRESS: starting a throwaway daemon under /tmp"
  command -v containerd >/dev/null || bash tests/setup/fetch-containerd.sh >/dev/null
  STATE=$("$VENV/python" scripts/throwaway-containerd.py start)
  BASE=$("$VENV/python" -c 'import json,sys; print(json.loads(sys.argv[1])["base"])' "$STATE")
  SOCK=$("$VENV/python" -c 'import json,sys; print(json.loads(sys.argv[1])["socket"])' "$STATE")
  CTR=$("$VENV/python" -c 'import json,sys; print(json.loads(sys.argv[1])["ctr"])' "$STATE")
  EXTRA=(-e "containerd_address=$SOCK" -e "containerd_ctr_path=$CTR")
fi
ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed ANSIBLE_LOCALHOST_WARNING=0 \
  "$VENV/ansible-playbook" -i localhost, -c local -e "ansible_python_interpreter=$VENV/python" \
  "${EXTRA[@]}" containerd.runtime.demo
