#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The docs site (`make docs`): antsibull-docs writes the RST of every module, plugin, filter and role (from
# its meta/argument_specs.yml) plus the guides of docs/docsite (getting started, playbooks, release policy);
# Sphinx renders it offline to .build/docs/html (warnings are errors). First
# `antsibull-docs lint-collection-docs --plugin-docs` must be clean.
#   scripts/docs.sh          lint + build       scripts/docs.sh --lint   lint only
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
VENV=$(bash scripts/tools-venv.sh)
export PATH=$VENV/bin:$PATH ANSIBLE_NOCOLOR=1
OUT=$REPO/.build/docs
# the collection at an ansible_collections/<namespace>/<name> path, for ansible-doc and the linter
COLL=$OUT/collections/ansible_collections/containerd/runtime
mkdir -p "$(dirname "$COLL")"
[ -e "$COLL" ] || ln -s "$REPO" "$COLL"
export ANSIBLE_COLLECTIONS_PATH=$OUT/collections

(cd "$COLL" && antsibull-docs lint-collection-docs --plugin-docs .)
echo "antsibull-docs lint-collection-docs --plugin-docs: clean"
[ "${1:-}" = --lint ] && exit 0

rm -rf "$OUT/rst" "$OUT/html" && mkdir -p "$OUT" && mkdir -m 700 "$OUT/rst"
antsibull-docs --config-file docs/sphinx/antsibull-docs.cfg collection --use-current --squash-hierarchy \
  --dest-dir "$OUT/rst" containerd.runtime
cp docs/sphinx/conf.py "$OUT/rst/conf.py"
sphinx-build -q -b html -W --keep-going "$OUT/rst" "$OUT/html"
echo "docs site: $OUT/html/index.html"
