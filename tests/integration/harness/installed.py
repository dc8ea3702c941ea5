# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks on installed binaries for the containerd_install tests: run them, start them, look for leftovers."""
import os
import socket
import subprocess

from .daemon import ContainerdDaemon


def reported_version(path):
    """What ``<binary> --version`` says (stdout and stderr)."""
    proc = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout + proc.stderr


def server_version(version_key, bin_dir):
    """Start the installed containerd with the harness daemon, return ``ctr version``'s server version."""
    daemon = ContainerdDaemon(version_key, bin_dir=bin_dir)
    try:
        daemon.start()
        out = daemon.ctr("version").stdout
    finally:
        daemon.destroy()
    server = out.split("Server:", 1)[1]
    return [line.split(":", 1)[1].strip() for line in server.splitlines() if line.strip().startswith("Version:")][0]


def staging_leftovers(*dirs):
    return [name for directory in dirs if os.path.isdir(directory) for name in os.listdir(directory)
            if name.startswith(".containerd-install-") or name.startswith(".manifest-")]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
