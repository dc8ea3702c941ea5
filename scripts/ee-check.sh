#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The built collection carries its dependencies to an execution environment: `ansible-builder create` makes
# the build context of an EE with the built tarball (.build/ee/context), and `ansible-builder introspect` on
# the tarball installed offline (the step the image build runs) lists the Python requirements (httpx,
# tomli-w, pyroute2) and the system ones (bindep.txt); they are written into the context's _build/ and checked.
# No image is built (there is no base image here).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
VENV=$(bash scripts/tools-venv.sh)
export PATH=$VENV/bin:$PATH ANSIBLE_NOCOLOR=1
OUT=$REPO/.build/ee
rm -rf "$OUT" && mkdir -p "$OUT/dist" "$OUT/collections"
ansible-galaxy collection build --force --output-path "$OUT/dist" . >/dev/null
tarball=$(echo "$OUT"/dist/containerd-runtime-*.tar.gz)
cp "$tarball" "$OUT/"
cat > "$OUT/execution-environment.yml" <<YML
---
version: 3
images:
  base_image:
    name: registry.invalid/ee-minimal:latest   # any EE base image; only the build context is made here
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.17,<2.20
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: $(basename "$tarball")
        type: file
YML
(cd "$OUT" && ansible-builder create --file execution-environment.yml --context context --output-filename Containerfile -v 1)
cp "$tarball" "$OUT/context/_build/"
ANSIBLE_COLLECTIONS_PATH=$OUT/collections ansible-galaxy collection install --offline -p "$OUT/collections" "$tarball" >/dev/null
ansible-builder introspect --sanitize --write-pip "$OUT/context/_build/requirements.txt" \
  --write-bindep "$OUT/context/_build/bindep.txt" "$OUT/collections" > "$OUT/introspect.txt"
cat "$OUT/introspect.txt"
rc=0
for need in httpx tomli-w pyroute2; do
  grep -q "^$need" "$OUT/context/_build/requirements.txt" || { echo "EE context: $need missing from _build/requirements.txt"; rc=1; }
done
grep -q "^iptables" "$OUT/context/_build/bindep.txt" || { echo "EE context: iptables missing from _build/bindep.txt"; rc=1; }
[ "$rc" -eq 0 ] && echo "EE build context $OUT/context lists httpx, tomli-w, pyroute2 and iptables [managed_host]"
exit "$rc"
