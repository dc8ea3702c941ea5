# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_config_layout: dropin on real daemons (1.6 and 2.x; 1.7 with the full matrix).

The role writes only conf.d/<name>.toml; a config.toml another tool wrote (an NVIDIA-style runtime in it)
only gains an imports entry, the other tool's runtime stays in effect and the drop-in's settings are in
effect too (``config dump`` of the composition); check mode writes nothing; a second run changes nothing.
"""
import tomllib

from harness.roles import changed_tasks, failed_tasks

SANDBOX = "registry.local/pause:3.99"
NVIDIA_BINARY = "/usr/bin/nvidia-container-runtime"


def cri_tables(host, config):
    """(runtimes table, sandbox image) at the version's own keys."""
    plugins = config["plugins"]
    if host.version.startswith("1."):
        cri = plugins["io.containerd.grpc.v1.cri"]
        return cri["containerd"]["runtimes"], cri["sandbox_image"]
    return (plugins["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"],
            plugins["io.containerd.cri.v1.images"]["pinned_images"]["sandbox"])


def other_tools_config(host):
    """A config.toml as another tool leaves it: its own runtime, nothing of the role's."""
    if host.version.startswith("1."):
        table = 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia'
        version = 2
    else:
        table = "plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nvidia"
        version = 3
    return ("# written by another tool\nversion = %d\n\n[%s]\n  runtime_type = \"io.containerd.runc.v2\"\n\n"
            "[%s.options]\n  BinaryName = \"%s\"\n" % (version, table, table, NVIDIA_BINARY))


def dropin_path(host):
    return host.etc / "conf.d" / "50-containerd-runtime.toml"


def test_dropin_keeps_the_runtime_another_tool_added(role_host):
    role_host.etc.mkdir(parents=True, exist_ok=True)
    original = other_tools_config(role_host)
    role_host.config.write_text(original)

    play = role_host.play(containerd_config_layout="dropin", containerd_systemd_cgroup=True,
                          containerd_sandbox_image=SANDBOX)
    assert play.rc == 0, play
    assert role_host.ctr_version().returncode == 0

    # config.toml: the other tool's text, plus one imports line
    new = role_host.config.read_text()
    added = [line for line in new.splitlines() if line not in original.splitlines()]
    assert added == ['imports = ["%s"]' % dropin_path(role_host)]
    assert dropin_path(role_host).exists()

    runtimes, sandbox = cri_tables(role_host, role_host.dump())
    assert runtimes["nvidia"]["options"]["BinaryName"] == NVIDIA_BINARY
    assert runtimes["runc"]["options"]["SystemdCgroup"] is True
    assert sandbox == SANDBOX

    again = role_host.play(containerd_config_layout="dropin", containerd_systemd_cgroup=True,
                           containerd_sandbox_image=SANDBOX)
    assert again.rc == 0, again
    assert changed_tasks(again) == []
    assert role_host.starts() == 1


def test_dropin_creates_a_minimal_config_toml_when_there_is_none(role_host):
    play = role_host.play(containerd_config_layout="dropin", containerd_sandbox_image=SANDBOX)
    assert play.rc == 0, play
    root = tomllib.loads(role_host.config.read_text())
    assert root["imports"] == [str(dropin_path(role_host))] and set(root) == {"version", "imports"}
    assert cri_tables(role_host, role_host.dump())[1] == SANDBOX
    assert role_host.dump()["root"] == str(role_host.root)


def test_dropin_check_mode_writes_nothing(role_host):
    role_host.etc.mkdir(parents=True, exist_ok=True)
    original = other_tools_config(role_host)
    role_host.config.write_text(original)
    play = role_host.play(check=True, diff=True, containerd_config_layout="dropin", containerd_sandbox_image=SANDBOX)
    assert play.rc == 0, play
    assert any("config" in task.lower() for task in changed_tasks(play)), changed_tasks(play)
    assert role_host.config.read_text() == original
    assert not dropin_path(role_host).exists()
    assert role_host.daemon_pid() is None


def test_dropin_restart_that_fails_puts_the_old_dropin_back(role_host):
    assert role_host.play(containerd_config_layout="dropin").rc == 0
    root_before = role_host.config.read_text()
    dropin_before = dropin_path(role_host).read_text()
    blocker = role_host.base / "blocker"
    blocker.write_text("a file where containerd wants a directory\n")

    # valid config (config dump accepts the composition), but containerd cannot listen there
    if role_host.version.startswith("1.") or role_host.default_config()["version"] == 3:
        extra = {"ttrpc": {"address": str(blocker / "containerd.sock.ttrpc")}}
    else:
        extra = {"plugins": {"io.containerd.server.v1.ttrpc": {"address": str(blocker / "containerd.sock.ttrpc")}}}
    play = role_host.play(containerd_config_layout="dropin", containerd_config_overrides=role_host.private_overrides(extra),
                          containerd_start_timeout=5)
    assert play.rc != 0
    message = failed_tasks(play)[-1]["result"]["msg"]
    assert "put back" in message and str(dropin_path(role_host)) in message and "answers again" in message, message

    assert dropin_path(role_host).read_text() == dropin_before
    assert role_host.config.read_text() == root_before
    assert role_host.ctr_version().returncode == 0
