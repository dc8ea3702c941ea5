# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""task_exec output under load: 200 execs of short processes, every byte of stdout and stderr comes back.

Plain ``ctr tasks exec`` loses the output of a process that exits right after writing it when the machine is
busy (see plugins/module_utils/exec_output.py); the client runs execs through the shim's binary logger
instead. 180 execs go through the client directly (the code task_exec runs), 20 through the module in one
play. The figures go to .build/reports/exec-stress.tsv.
"""
import fcntl
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient, SubprocessRunner

REPORT = Path(__file__).resolve().parents[3] / ".build" / "reports" / "exec-stress.tsv"
BIG = "/tmp/big"
CLIENT_EXECS = 180
MODULE_EXECS = 20


@pytest.fixture
def box(container, ansible):
    """The name of a running task to exec in."""
    container("box", command=["sleep", "100000"])
    assert ansible.module("task", {"name": "box"})["status"] == "changed"
    return "box"


@pytest.fixture
def load():
    """Two busy loops per core, stopped by PID afterwards."""
    count = (os.cpu_count() or 1) * 2
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _index in range(count)]
    yield len(procs)
    for proc in procs:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def commands(big):
    """(argv, expected rc, stdout, stderr) of the short commands, cycled through."""
    return [
        (["echo", "hello"], 0, b"hello\n", b""),
        (["sh", "-c", "echo hi; exit 3"], 3, b"hi\n", b""),
        (["sh", "-c", "echo out; echo err >&2"], 0, b"out\n", b"err\n"),
        (["cat", BIG], 0, big, b""),
        (["printf", "\\377\\000\\n"], 0, b"\xff\x00\n", b""),
    ]


def record(version, path, execs, expected, received, seconds, load_procs):
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with open(REPORT, "a") as report:
        fcntl.flock(report, fcntl.LOCK_EX)
        if report.tell() == 0:
            report.write("version\tpath\texecs\tbytes_expected\tbytes_received\tlost_bytes\tseconds\tload_processes\n")
        figures = (version, path, execs, expected, received, expected - received, seconds, load_procs)
        report.write("%s\t%s\t%d\t%d\t%d\t%d\t%.1f\t%d\n" % figures)


def loggers_left(directory):
    """PIDs of processes whose command line names ``directory`` (the shim's loggers of our captures)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and directory.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


@pytest.mark.slow
def test_two_hundred_short_execs_under_load_lose_no_byte(containerd, namespace, ansible, box, load, tmp_path):
    client = CtrClient(containerd.ctr_path, containerd.socket, namespace, 60, SubprocessRunner())
    client.exec_capture_dir = str(tmp_path / "captures")
    os.mkdir(client.exec_capture_dir)
    made = client.exec_capture(box, ["sh", "-c", "head -c 1048576 /dev/urandom > %s" % BIG], "make-big")
    assert made.rc == 0 and made.stderr == b"", made
    pid = client.task(box)["pid"]
    big = Path("/proc/%d/root%s" % (pid, BIG)).read_bytes()  # what the task sees, read from the host
    assert len(big) == 1 << 20
    table = commands(big)

    mismatches, expected, received, started = [], 0, 0, time.monotonic()
    for index in range(CLIENT_EXECS):
        argv, rc, stdout, stderr = table[index % len(table)]
        result = client.exec_capture(box, argv, "stress-%d" % index)
        expected += len(stdout) + len(stderr)
        received += len(result.stdout) + len(result.stderr)
        if (result.rc, result.stdout, result.stderr) != (rc, stdout, stderr):
            mismatches.append((index, argv[:2], result.rc, len(result.stdout), result.stderr[:80]))
    record(containerd.version, "client", CLIENT_EXECS, expected, received, time.monotonic() - started, load)
    assert mismatches == [], mismatches[:5]
    assert os.listdir(client.exec_capture_dir) == [] and loggers_left(client.exec_capture_dir) == []

    tasks = []
    for index in range(MODULE_EXECS):
        argv, rc, stdout, stderr = table[index % len(table)]
        tasks.append({"containerd.runtime.task_exec": {"name": box, "command": argv}})
    started = time.monotonic()
    play = ansible.run(tasks)
    seconds = time.monotonic() - started
    expected = received = 0
    mismatches = []
    for index in range(MODULE_EXECS):
        argv, rc, stdout, stderr = table[index % len(table)]
        text_out, text_err = stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
        result = play[index]
        expected += len(text_out) + len(text_err)
        received += len(result.get("stdout", "")) + len(result.get("stderr", ""))
        if (result.get("rc"), result.get("stdout"), result.get("stderr")) != (rc, text_out, text_err):
            mismatches.append((index, argv[:2], result.get("rc"), len(result.get("stdout", "")), result.get("msg")))
    record(containerd.version, "module (characters)", MODULE_EXECS, expected, received, seconds, load)
    assert mismatches == [], mismatches[:5]


def test_the_exec_process_is_gone_after_a_non_zero_exit(containerd, namespace, box, tmp_path):
    client = CtrClient(containerd.ctr_path, containerd.socket, namespace, 30, SubprocessRunner())
    exec_id = "gone-" + uuid.uuid4().hex[:8]
    assert client.exec_in_task(box, ["sh", "-c", "echo hi; exit 3"], exec_id) == (3, "hi\n", "")
    deleted = containerd.ctr("tasks", "delete", "--exec-id", exec_id, box, namespace=namespace, check=False)
    assert deleted.returncode != 0 and "not found" in deleted.stderr, deleted
