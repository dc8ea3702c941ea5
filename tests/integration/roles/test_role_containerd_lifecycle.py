# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role's registries (hosts.toml from data), variable checks and uninstall."""
import json
import stat
import tomllib

from harness.roles import changed_tasks

SECRET = "s3cr3t-pa55"


def registries():
    return [
        {"name": "docker.io", "server": "https://registry-1.docker.io",
         "mirrors": [{"url": "http://127.0.0.1:5999", "skip_verify": True, "username": "puller",
                      "password": SECRET}]},
        {"name": "registry.local:5000", "server": "http://registry.local:5000", "skip_verify": True,
         "headers": {"X-Team": "web"}},
    ]


def test_registries_hosts_toml_credentials_and_prune(role_host):
    stray = role_host.certs / "old.example"
    stray.mkdir(parents=True)
    play = role_host.play(containerd_registries=registries())
    assert play.rc == 0, play
    assert SECRET not in json.dumps(play.records) and SECRET not in play.stdout

    docker = role_host.certs / "docker.io" / "hosts.toml"
    local = role_host.certs / "registry.local:5000" / "hosts.toml"
    assert stat.S_IMODE(docker.stat().st_mode) == 0o600
    assert stat.S_IMODE(local.stat().st_mode) == 0o600  # headers may carry tokens
    hosts = tomllib.loads(docker.read_text())
    mirror = hosts["host"]["http://127.0.0.1:5999"]
    assert hosts["server"] == "https://registry-1.docker.io"
    assert mirror["capabilities"] == ["pull", "resolve"] and mirror["skip_verify"] is True
    assert mirror["header"]["Authorization"] == "Basic cHVsbGVyOnMzY3IzdC1wYTU1"
    assert tomllib.loads(local.read_text()) == {"server": "http://registry.local:5000", "skip_verify": True,
                                                "header": {"X-Team": "web"}}
    assert stray.exists()  # no prune unless asked

    again = role_host.play(containerd_registries=registries())
    assert again.rc == 0 and changed_tasks(again) == []

    pruned = role_host.play(containerd_registries=registries()[1:], containerd_registries_prune=True)
    assert pruned.rc == 0, pruned
    assert not stray.exists() and not docker.parent.exists() and local.exists()
    assert role_host.ctr_version().returncode == 0


def test_bad_variables_fail_early(role_host):
    play = role_host.play(containerd_install_method="tarball", containerd_registries=[{"server": "x"}])
    assert play.rc != 0
    message = play.records[-1]["result"]["msg"]
    assert "containerd_install_method" in message and "tarball" in message, message
    assert "name" in message, message
    assert not role_host.config.exists() and role_host.daemon_pid() is None


def test_absent_uninstalls_and_keeps_data_unless_purged(role_host):
    assert role_host.play().rc == 0
    supervisor, daemon = role_host.supervisor_pid(), role_host.daemon_pid()
    assert supervisor and daemon

    play = role_host.play(containerd_state="absent")
    assert play.rc == 0, play
    assert not role_host.config.exists()
    assert not (role_host.etc / "supervise.json").exists()
    assert not role_host.supervisor_pid_file.exists() and not role_host.pid_file.exists()
    for pid in (supervisor, daemon):
        assert not (role_host.base.parent.parent / "proc" / str(pid)).exists() or not _running(pid)
    assert role_host.ctr_version().returncode != 0
    assert role_host.root.exists()  # data kept

    again = role_host.play(containerd_state="absent")
    assert again.rc == 0 and changed_tasks(again) == []

    purged = role_host.play(containerd_state="absent", containerd_purge_data=True)
    assert purged.rc == 0, purged
    assert not role_host.root.exists() and not role_host.state.exists()


def _running(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
