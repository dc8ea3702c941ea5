"""Start a throwaway containerd under /tmp for the demo, print its socket, stop it when told.

    throwaway-containerd.py start  -> prints "<pid> <socket> <ctr path> <base dir>"
    throwaway-containerd.py stop <base dir>

Uses the test harness's daemon class (the one place that knows how to run a private containerd), with
the host's containerd when one is installed, else the cached 1.7 build from tests/setup/fetch-containerd.sh.
"""
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))

from harness.daemon import ContainerdDaemon  # noqa: E402  pylint: disable=wrong-import-position


def start():
    host = shutil.which("containerd")
    daemon = ContainerdDaemon("1.7", bin_dir=Path(host).parent if host else None)
    daemon.die_with_parent = False  # it must outlive this script; "stop" ends it by PID
    daemon.start()
    state = {"pid": daemon.pid, "socket": daemon.socket, "ctr": daemon.ctr_path, "base": str(daemon.base),
             "version": daemon.version, "bin_dir": str(daemon.bin_dir)}
    (daemon.base / "demo.json").write_text(json.dumps(state))
    print(json.dumps(state))
    # the daemon keeps running after this process exits (own session); stop() ends it by PID


def stop(base):
    state = json.loads((Path(base) / "demo.json").read_text())
    daemon = ContainerdDaemon(state["version"], base=base, bin_dir=state["bin_dir"])
    daemon.attach(state["pid"])
    daemon.destroy()


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        start()
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(sys.argv[2])
    else:
        sys.exit(__doc__)
