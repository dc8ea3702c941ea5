# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role renders config.toml from the installed containerd's defaults, on 1.6, 1.7 and 2.x.

Acceptance of issue 7 that runs on this machine (no systemd): the rendered config's ``config dump``
shows SystemdCgroup, the sandbox image and the registry config path at that version's keys; every key
the role does not set equals ``containerd config default``; a broken override fails before any restart
and leaves the old file and the running daemon alone; a valid change restarts exactly once; a second run
changes nothing.
"""
from harness.roles import changed_tasks, failed_tasks

CRI_V2 = "io.containerd.grpc.v1.cri"
SANDBOX = "registry.local/pause:3.99"


def version_keys(host, config):
    """(SystemdCgroup, sandbox image, registry config path) read at the version's own keys."""
    plugins = config["plugins"]
    if host.version.startswith("1."):
        cri = plugins[CRI_V2]
        return (cri["containerd"]["runtimes"]["runc"]["options"]["SystemdCgroup"], cri["sandbox_image"],
                cri["registry"]["config_path"])
    images, runtime = plugins["io.containerd.cri.v1.images"], plugins["io.containerd.cri.v1.runtime"]
    return (runtime["containerd"]["runtimes"]["runc"]["options"]["SystemdCgroup"],
            images["pinned_images"]["sandbox"], images["registry"]["config_path"])


def leaves(data, prefix=()):
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from leaves(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def lookup(data, path):
    for key in path:
        data = data[key]
    return data


def test_config_at_version_keys_and_defaults_elsewhere(role_host):
    play = role_host.play(containerd_systemd_cgroup=True, containerd_sandbox_image=SANDBOX)
    assert play.rc == 0, play
    assert role_host.ctr_version().returncode == 0
    expected_version = 2 if role_host.version.startswith("1.") else 3

    rendered = role_host.rendered()
    assert rendered["version"] == expected_version
    dumped = role_host.dump()
    assert version_keys(role_host, dumped) == (True, SANDBOX, str(role_host.certs))
    assert version_keys(role_host, rendered) == (True, SANDBOX, str(role_host.certs))
    assert dumped["root"] == str(role_host.root) and dumped["grpc"]["address"] == role_host.socket

    # every key of containerd's own defaults is there, unchanged unless the role or the test set it
    default = role_host.default_config()
    set_by_role = {"root", "state", "address", "SystemdCgroup", "sandbox_image", "sandbox", "config_path",
                   "conf_dir", "bin_dir", "bin_dirs", "path", "socket_path"}
    compared = 0
    for path, value in leaves(default):
        if path[-1] in set_by_role:
            continue
        assert lookup(rendered, path) == value, path
        compared += 1
    assert compared > 100

    again = role_host.play(containerd_systemd_cgroup=True, containerd_sandbox_image=SANDBOX)
    assert again.rc == 0, again
    assert changed_tasks(again) == []
    assert role_host.starts() == 1


def test_broken_override_fails_before_restart(role_host, matrix):
    assert role_host.play().rc == 0
    before = role_host.config.read_text()
    daemon = role_host.daemon_pid()

    play = role_host.play(containerd_config_overrides=role_host.private_overrides({"grpc": {"address": 5}}))
    assert play.rc != 0
    failed = failed_tasks(play)
    assert len(failed) == 1 and "Render config.toml" in failed[0]["task"], failed
    message = failed[0]["result"]["msg"]
    assert "containerd rejected the new config" in message and "kept unchanged" in message, message
    assert "TOML" in message, message  # containerd's own words: "failed to unmarshal TOML ..."
    assert "Traceback" not in message

    assert role_host.config.read_text() == before
    assert role_host.daemon_pid() == daemon
    assert role_host.ctr_version().returncode == 0
    assert role_host.starts() == 1
    matrix.row("invalid config (containerd %s)" % role_host.version, message,
               "config.toml unchanged; the daemon kept running (same pid, no restart)")


def test_valid_change_restarts_exactly_once(role_host):
    assert role_host.play().rc == 0
    daemon = role_host.daemon_pid()

    play = role_host.play(containerd_debug_level="debug")
    assert play.rc == 0, play
    assert role_host.starts() == 2
    assert role_host.daemon_pid() != daemon
    assert role_host.dump()["debug"]["level"] == "debug"
    assert role_host.ctr_version().returncode == 0
    assert (role_host.etc / "config.toml.previous").exists()

    again = role_host.play(containerd_debug_level="debug")
    assert again.rc == 0 and changed_tasks(again) == []
    assert role_host.starts() == 2


def test_restart_that_fails_restores_previous_config(role_host):
    assert role_host.play().rc == 0
    before = role_host.config.read_text()
    blocker = role_host.base / "blocker"
    blocker.write_text("a file where containerd wants a directory\n")

    # valid TOML of the right types (config dump accepts it), but containerd cannot listen there
    overrides = role_host.private_overrides({"ttrpc": {"address": str(blocker / "containerd.sock.ttrpc")}})
    play = role_host.play(containerd_config_overrides=overrides, containerd_start_timeout=5)
    assert play.rc != 0
    failed = failed_tasks(play)
    assert failed and failed[-1]["task"].endswith("Fail with the daemon's log"), failed
    message = failed[-1]["result"]["msg"]
    assert "previous config was restored" in message and "answers again" in message, message
    assert "blocker" in message, message  # the daemon's own log lines about the failure

    assert role_host.config.read_text() == before
    assert role_host.ctr_version().returncode == 0
    assert role_host.starts() >= 3  # first start, the failed restart (the supervisor retries it), the old config
