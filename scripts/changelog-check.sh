#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The changelog is current and releasable:
#  1. `antsibull-changelog lint` is clean (fragments and changelogs/changelog.yaml);
#  2. CHANGELOG.md is what `antsibull-changelog generate` makes of changelog.yaml (nobody edited it by hand
#     or forgot to commit it after a release);
#  3. galaxy.yml's version is the last release when there are no fragments, and newer than it when there
#     are; then `antsibull-changelog release` of that version succeeds (in a private copy).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
VENV=$(bash scripts/tools-venv.sh)
export PATH=$VENV/bin:$PATH ANSIBLE_NOCOLOR=1

antsibull-changelog lint
echo "antsibull-changelog lint: clean"

WORK=$(mktemp -d "$REPO/.build/changelog.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
COPY=$WORK/ansible_collections/containerd/runtime
mkdir -p "$COPY"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -P -t "$COPY"/
(cd "$COPY" && antsibull-changelog generate)
if ! diff -u CHANGELOG.md "$COPY/CHANGELOG.md"; then
  echo "CHANGELOG.md is not what changelogs/changelog.yaml says: run antsibull-changelog generate (or release) and commit it"
  exit 1
fi
echo "CHANGELOG.md: current"

read -r version last < <("$VENV/bin/python" - <<'PY'
import yaml
from packaging.version import Version
galaxy = yaml.safe_load(open("galaxy.yml"))["version"]
releases = (yaml.safe_load(open("changelogs/changelog.yaml")) or {}).get("releases") or {}
print(galaxy, max(releases, key=Version) if releases else "none")
PY
)
fragments=$(find changelogs/fragments -name '*.y*ml' | wc -l)
newer=$("$VENV/bin/python" -c "from packaging.version import Version as V; import sys; print(int('$last' == 'none' or V('$version') > V('$last')))")
if [ "$fragments" -eq 0 ]; then
  [ "$version" = "$last" ] || { echo "galaxy.yml says $version, the last release in the changelog is $last, and there are no fragments"; exit 1; }
  echo "galaxy.yml $version: the last release, no unreleased fragments"
else
  [ "$newer" = 1 ] || { echo "$fragments unreleased fragment(s), but galaxy.yml's version $version is already released: raise it (semantic versioning, docs/docsite/rst/release-policy.rst)"; exit 1; }
  (cd "$COPY" && ANSIBLE_COLLECTIONS_PATH=$WORK antsibull-changelog release --version "$version" >/dev/null)
  echo "galaxy.yml $version: $fragments unreleased fragment(s) release cleanly"
fi
