# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Container and task operations of the client: argv building and output handling (process layer stubbed)."""
import os
import stat

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import errors
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from stub_runner import StubRunner, log_uri_path, shim_logged


@pytest.fixture
def client(ctr, listening_socket, stub_runner):
    return CtrClient(ctr, listening_socket, "web", 5, stub_runner())


def test_create_ends_the_flags_with_a_separator_before_the_image_on_every_release(client):
    # ctr version first: a mount is refused by a ctr that splits flag values at commas (ctr 2.4, see _ctr/args.py)
    client.runner = StubRunner((0, "Client:\n  Version:  2.1.9\n\nServer:\n  Version:  2.1.9\n  UUID: u\n", ""),
                               (0, "", ""), (0, "", ""))
    client.create_container("c1", "docker.io/library/busybox:test", {
        "command": ["sh", "-c", "echo hi"], "env": {"A": "1"}, "labels": {"team": "web"}, "memory": 1024,
        "cfs": (50000, 100000), "mounts": [{"type": "tmpfs", "source": "tmpfs", "target": "/t",
                                            "options": ["size=1m"]}],
        "stop_signal": "SIGQUIT", "net_host": True})
    create = client.runner.calls[1][9:]
    assert create == ["containers", "create", "--runtime", "io.containerd.runc.v2", "--label", "team=web", "--env", "A=1",
                      "--mount", "type=tmpfs,src=tmpfs,dst=/t,options=size=1m", "--net-host=true",
                      "--memory-limit", "1024", "--cpu-quota", "50000", "--cpu-period", "100000",
                      "--", "docker.io/library/busybox:test", "c1", "sh", "-c", "echo hi"]
    assert client.runner.calls[2][9:] == ["containers", "label", "--", "c1",
                                          "io.containerd.image.config.stop-signal=SIGQUIT"]


def test_a_missing_container_is_none(client, captured):
    client.runner = StubRunner((1, "", captured("c-info-missing.err")))
    assert client.container_info("nosuch") is None


def test_container_info_is_parsed(client, captured):
    client.runner = StubRunner((0, captured("containers-info.txt"), ""))
    record = client.container_info("c1")
    assert record["ID"] == "c1" and record["Spec"]["process"]["args"]


def test_deleting_a_task_returns_the_exit_status_ctr_only_warns_about(client):
    client.runner = StubRunner((0, "", 'time="x" level=warning msg="task job exit with non-zero exit code 7"\n'),
                               (0, "", ""))
    assert client.delete_task("job") == 7
    assert client.delete_task("job") == 0


def exec_args(argv):
    """The ctr arguments of a recorded call, after the global flags."""
    return argv[9:]


def test_exec_hands_the_output_to_the_shims_binary_logger_and_ends_flags_before_the_container(client):
    client.runner = StubRunner(shim_logged(0, b"hi\n"))
    client.exec_in_task("web", ["sh", "-c", "x"], "e1", cwd="/srv", user="65534")
    args = exec_args(client.runner.calls[0])
    uri = args[args.index("--log-uri") + 1]
    assert args == ["tasks", "exec", "--exec-id", "e1", "--log-uri", uri, "--cwd", "/srv", "--user", "65534",
                    "--", "web", "sh", "-c", "x"]
    assert uri.startswith("binary:///") and uri.endswith("/logger")


def test_an_exec_can_be_given_longer_than_the_clients_timeout(client):
    client.runner = StubRunner(shim_logged(0))
    client.exec_capture("web", ["sleep", "100"], "e1", timeout=300)
    argv = client.runner.calls[0]
    assert argv[argv.index("--timeout") + 1] == "300s"


def test_exec_returns_stdout_and_stderr_apart_from_the_logger_not_from_ctr(client):
    client.runner = StubRunner(shim_logged(0, b"out\n", b"err\n"))
    assert client.exec_in_task("web", ["sh", "-c", "x"], "e1") == (0, "out\n", "err\n")
    assert len(client.runner.calls) == 1  # ctr deleted the exec itself after exit 0


def test_an_exec_that_exits_non_zero_is_deleted_so_the_shim_hands_over_the_rest(client):
    logged = shim_logged(3, b"hi\n")

    def ctr_exits_before_the_logger_is_done(argv):
        logged(argv)
        os.remove(os.path.join(os.path.dirname(log_uri_path(argv)), "done"))
        return 3, "", ""

    def delete_lets_the_logger_finish(argv):
        open(os.path.join(os.path.dirname(log_uri_path(client.runner.calls[0])), "done"), "w").close()
        return 0, "", ""

    client.runner = StubRunner(ctr_exits_before_the_logger_is_done, delete_lets_the_logger_finish)
    assert client.exec_in_task("web", ["sh", "-c", "x"], "e1") == (3, "hi\n", "")
    assert exec_args(client.runner.calls[1]) == ["tasks", "delete", "--exec-id", "e1", "--", "web"]


def test_an_exec_already_deleted_is_fine(client):
    client.runner = StubRunner(shim_logged(3, b"hi\n", done=False),
                               (1, "", 'ctr: process e1: not found\n'))
    with pytest.raises(errors.CommandFailed, match="ran in web .exit status 3. but its output could not be read"):
        client.exec_in_task("web", ["true"], "e1")


def test_exec_output_keeps_every_byte_raw_and_the_text_form_replaces_what_is_not_utf8(client):
    client.runner = StubRunner(shim_logged(0, b"\xff\x00x"), shim_logged(0, b"\xff\x00x"))
    assert client.exec_capture("web", ["cat", "blob"], "e1").stdout == b"\xff\x00x"
    assert client.exec_in_task("web", ["cat", "blob"], "e2")[1] == "\ufffd\x00x"


def test_exec_raises_on_ctrs_own_failure(client):
    client.runner = StubRunner(
        (1, "", "ctr: OCI runtime exec failed: exec: \"nope\": executable file not found in $PATH\n"))
    with pytest.raises(errors.CollectionError) as error:
        client.exec_in_task("web", ["nope"], "e2")
    assert "executable file not found" in error.value.message


def test_the_capture_directory_is_private_and_removed_afterwards(client, tmp_path):
    client.exec_capture_dir = str(tmp_path / "captures")
    os.mkdir(client.exec_capture_dir)
    seen = {}

    def look(argv):
        directory = os.path.dirname(log_uri_path(argv))
        seen["mode"] = stat.S_IMODE(os.stat(directory).st_mode)
        seen["logger"] = open(log_uri_path(argv)).read()
        return shim_logged(0)(argv)

    client.runner = StubRunner(look)
    client.exec_in_task("web", ["true"], "e1")
    assert seen["mode"] == 0o700 and seen["logger"].startswith("#!/bin/sh\nexec ")
    assert os.listdir(client.exec_capture_dir) == []


def test_exec_with_a_tty_is_refused_before_anything_runs(client):
    client.runner = StubRunner()
    with pytest.raises(errors.InvalidArgument, match="tty"):
        client.exec_in_task("web", ["true"], "e1", tty=True)
    assert client.runner.calls == []


def test_stop_reports_sigkill_when_the_stop_signal_was_not_enough(client, monkeypatch):
    monkeypatch.setattr("ansible_collections.containerd.runtime.plugins.module_utils._ctr.tasks.POLL_INTERVAL", 0)
    running = (0, "TASK    PID     STATUS\nweb     42      RUNNING\n", "")
    stopped = (0, "TASK    PID     STATUS\nweb     42      STOPPED\n", "")
    client.runner = StubRunner(running, (0, "", ""), running, (0, "", ""), stopped)
    signal, seconds = client.stop_task("web", "SIGTERM", 0)
    assert signal == "SIGKILL" and seconds >= 0
    assert [call[9:] for call in client.runner.calls if "kill" in call] == [
        ["tasks", "kill", "--signal", "SIGTERM", "--", "web"], ["tasks", "kill", "--signal", "SIGKILL", "--", "web"]]


@pytest.mark.parametrize("stderr,failure", [("ctr: no running task found\n", True), ("err\n", False), ("", False)])
def test_ctr_failures_are_told_from_process_output(stderr, failure):
    assert parse.is_ctr_failure(stderr) is failure
