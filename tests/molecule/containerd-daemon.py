# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A harness containerd for molecule scenarios whose instances are containerd containers.

    containerd-daemon.py start <base dir> [version]   # starts it (detached), prints {"address", "archive"}
    containerd-daemon.py stop <base dir>              # stops it and removes everything it made

The daemon is the integration harness's ContainerdDaemon (the only code that starts containerd), kept by a
small supervisor process that destroys it on SIGTERM; "archive" is the cached Debian + Python test image.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from harness import python_image  # noqa: E402
from harness.daemon import ContainerdDaemon  # noqa: E402


def serve(base, version):
    daemon = ContainerdDaemon(version, base=base)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        daemon.start()
        (Path(base) / "ready").write_text(json.dumps({"address": daemon.socket, "ctr_path": daemon.ctr_path}))
        while not stopping:
            signal.pause()
    finally:
        daemon.destroy()


def start(base, version):
    ready = Path(base) / "ready"
    if not ready.exists():
        Path(base).mkdir(parents=True, exist_ok=True)
        with open(Path(base).parent / (Path(base).name + ".log"), "ab") as log:
            proc = subprocess.Popen([sys.executable, __file__, "serve", base, version], stdout=log, stderr=log,
                                    start_new_session=True)
        (Path(base).parent / (Path(base).name + ".pid")).write_text(str(proc.pid))
        deadline = time.monotonic() + 60
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("the harness containerd did not start (log: %s.log)" % base)
            time.sleep(0.1)
    print(json.dumps(dict(json.loads(ready.read_text()), archive=str(python_image.archive()))))


def stop(base):
    pidfile = Path(base).parent / (Path(base).name + ".pid")
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        while True:  # the supervisor exits once the daemon is destroyed
            os.kill(pid, 0)
            time.sleep(0.1)
    except ProcessLookupError:
        pass
    pidfile.unlink()


if __name__ == "__main__":
    command, base = sys.argv[1], sys.argv[2]
    version = sys.argv[3] if len(sys.argv) > 3 else "2.x"
    {"serve": lambda: serve(base, version), "start": lambda: start(base, version), "stop": lambda: stop(base)}[
        command]()
