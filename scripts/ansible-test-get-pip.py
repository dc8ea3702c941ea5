# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the pip bootstrap script ansible-test downloads (get-pip.py).

ansible-test runs it in a fresh virtual environment with pip's install arguments. The real script
downloads pip; this one takes pip from the standard library (ensurepip) and then installs the requested
packages from the package index configured for pip on this machine. ensurepip strips pip's settings
(PIP_* variables) from os.environ, so they are restored before the install.
"""
import ensurepip
import os
import subprocess
import sys


def main():
    saved = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    os.environ.clear()
    os.environ.update(saved)
    args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))


if __name__ == "__main__":
    main()
