#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Print the path of .build/venv-tools (requirements-test-tools.txt: antsibull-docs, Sphinx, antsibull-changelog,
# ansible-builder), created from PyPI on first use and reinstalled only when that file changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$PWD/.build/venv-tools
stamp=$venv/.installed-$(sha256sum requirements-test-tools.txt | cut -c1-16)
if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements-test-tools.txt >&2
  touch "$stamp"
fi
echo "$venv"
