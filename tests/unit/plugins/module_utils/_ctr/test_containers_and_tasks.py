"""Container and task operations of the client: argv building and output handling (process layer stubbed)."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import errors
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from stub_runner import StubRunner


@pytest.fixture
def client(ctr, listening_socket, stub_runner):
    return CtrClient(ctr, listening_socket, "web", 5, stub_runner())


def test_create_stops_flag_parsing_before_the_command_only_for_ctr_1_6(client, captured):
    client.runner = StubRunner((0, captured("version.txt"), ""), (0, "", ""), (0, "", ""))
    client.create_container("c1", "docker.io/library/busybox:test", {
        "command": ["sh", "-c", "echo hi"], "env": {"A": "1"}, "labels": {"team": "web"}, "memory": 1024,
        "cfs": (50000, 100000), "mounts": [{"type": "tmpfs", "source": "tmpfs", "target": "/t",
                                            "options": ["size=1m"]}],
        "stop_signal": "SIGQUIT", "net_host": True})
    create = client.runner.calls[1][9:]
    tail = ["docker.io/library/busybox:test", "c1"] + (["--"] if captured.version == "1.6" else []) + [
        "sh", "-c", "echo hi"]
    assert create[-len(tail):] == tail
    for flag in (["--label", "team=web"], ["--env", "A=1"], ["--memory-limit", "1024"],
                 ["--cpu-quota", "50000", "--cpu-period", "100000"], ["--mount", "type=tmpfs,src=tmpfs,dst=/t,options=size=1m"],
                 ["--net-host=true"]):
        index = create.index(flag[0])
        assert create[index:index + len(flag)] == flag
    assert client.runner.calls[2][9:] == ["containers", "label", "c1", "io.containerd.image.config.stop-signal=SIGQUIT"]


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


def test_exec_returns_the_processes_rc_and_output_but_raises_on_ctrs_own_failure(client):
    client.runner = StubRunner((3, "hi\n", "err\n"),
                               (1, "", "ctr: OCI runtime exec failed: exec: \"nope\": executable file not found in $PATH\n"))
    assert client.exec_in_task("web", ["sh", "-c", "x"], "e1") == (3, "hi\n", "err\n")
    assert client.runner.calls[0][9:] == ["tasks", "exec", "--exec-id", "e1", "web", "sh", "-c", "x"]
    with pytest.raises(errors.CollectionError) as error:
        client.exec_in_task("web", ["nope"], "e2")
    assert "executable file not found" in error.value.message


def test_stop_reports_sigkill_when_the_stop_signal_was_not_enough(client, monkeypatch):
    monkeypatch.setattr("ansible_collections.containerd.runtime.plugins.module_utils._ctr.tasks.POLL_INTERVAL", 0)
    running = (0, "TASK    PID     STATUS\nweb     42      RUNNING\n", "")
    stopped = (0, "TASK    PID     STATUS\nweb     42      STOPPED\n", "")
    client.runner = StubRunner(running, (0, "", ""), running, (0, "", ""), stopped)
    signal, seconds = client.stop_task("web", "SIGTERM", 0)
    assert signal == "SIGKILL" and seconds >= 0
    assert [call[9:] for call in client.runner.calls if "kill" in call] == [
        ["tasks", "kill", "--signal", "SIGTERM", "web"], ["tasks", "kill", "--signal", "SIGKILL", "web"]]


@pytest.mark.parametrize("stderr,failure", [("ctr: no running task found\n", True), ("err\n", False), ("", False)])
def test_ctr_failures_are_told_from_process_output(stderr, failure):
    assert parse.is_ctr_failure(stderr) is failure
