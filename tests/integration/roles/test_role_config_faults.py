# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault matrix, the containerd role's side: a read-only config directory fails cleanly, before any restart,
and leaves config.toml and the running daemon as they were. One containerd version (the newest): the write
path does not depend on it."""
import subprocess
import tempfile

from harness.binaries import VERSIONS
from harness.roles import RoleHost, failed_tasks


def test_a_read_only_config_directory_fails_cleanly_and_keeps_the_daemon(matrix):
    host = RoleHost(max(VERSIONS), tempfile.mkdtemp(prefix="crole-", dir="/tmp"))
    mounted = False
    try:
        assert host.play().rc == 0
        before = host.config.read_text()
        daemon = host.daemon_pid()
        subprocess.run(["mount", "--bind", str(host.etc), str(host.etc)], check=True)
        mounted = True
        subprocess.run(["mount", "-o", "remount,bind,ro", str(host.etc)], check=True)
        play = host.play(containerd_sandbox_image="registry.local/pause:9.99")  # a change: config.toml is rewritten
        assert play.rc != 0
        failed = failed_tasks(play)
        assert len(failed) == 1, failed
        message = failed[0]["result"]["msg"]
        assert "Traceback" not in message and "MODULE FAILURE" not in message, message
        assert "Read-only file system" in message, message
        assert host.config.read_text() == before
        assert host.daemon_pid() == daemon and host.starts() == 1
        assert host.ctr_version().returncode == 0
        matrix.row("config directory read-only", "%s: %s" % (failed[0]["task"], message),
                   "config.toml unchanged; the daemon kept running (same pid, no restart)")
    finally:
        if mounted:
            subprocess.run(["umount", str(host.etc)], check=True)
        host.cleanup()
