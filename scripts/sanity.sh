#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-test sanity needs the collection at .../ansible_collections/containerd/runtime as a real path
# (it resolves symlinks): copy the tracked and new files there, then run it. ansible-test's pip
# bootstrap script (downloaded from a host this machine cannot reach) is replaced in its cache by an
# offline stand-in, scripts/ansible-test-get-pip.py.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
# ANSIBLE_TEST_VENV: a virtualenv with another ansible-core (scripts/core-venv.sh prints one); default .venv
VENV=${ANSIBLE_TEST_VENV:-$REPO/.venv}
PY=$VENV/bin/python
pipver=$("$PY" -c 'import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="3.11"))["pip"])')
mkdir -p ~/.ansible/test/cache
cp scripts/ansible-test-get-pip.py ~/.ansible/test/cache/"get_pip_${pipver//./_}.py"

# a private copy per run, so that runs side by side do not clobber each other
mkdir -p "$REPO/.build"
WORK=$(mktemp -d "$REPO/.build/sanity.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DEST=$WORK/ansible_collections/containerd/runtime
mkdir -p "$DEST"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -P -t "$DEST"/
cd "$DEST"
git init -q && git add -A >/dev/null
PATH=$VENV/bin:$PATH ansible-test sanity --venv --python 3.11 "$@"
