# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's docker_container contender: Debian's docker.io, set up by the benchmark itself.

Nothing is installed on the host: Debian's packages (docker.io and what dockerd runs: containerd, runc,
tini) are fetched with ``apt-get download`` and unpacked with ``dpkg-deb -x`` into the test cache;
community.docker comes from the ``ansible`` package on PyPI (only that collection is unpacked); the
module's one Python requirement (requests) goes into a venv of its own. dockerd runs with a private data
root, exec root and socket, no iptables and no bridge (the containers use ``network_mode: none``, as the
containerd workloads of the benchmark have no network), and is stopped again by PID.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from harness import images  # noqa: E402 pylint: disable=wrong-import-position
from harness.ansible import ensure_collection_link  # noqa: E402 pylint: disable=wrong-import-position
from harness.binaries import CACHE  # noqa: E402 pylint: disable=wrong-import-position

HOME = CACHE / "bench-docker"
PACKAGES = ("docker.io", "containerd", "runc", "tini")
IMAGE = "busybox:latest"
# the ansible package on PyPI whose community.docker goes with the installed ansible-core
ANSIBLE_FOR_CORE = {"2.17": "ansible>=10,<11", "2.18": "ansible>=11,<12", "2.19": "ansible>=12,<13"}
READY_TIMEOUT = 60


class ContenderError(RuntimeError):
    pass


def _run(argv, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        output = (proc.stderr or proc.stdout).strip()[-1500:]
        raise ContenderError("%s failed (rc %d): %s" % (" ".join(argv[:3]), proc.returncode, output))
    return proc


class DockerContender:
    """Install (once, into the cache), start, stock with the busybox image, and stop a private dockerd."""

    def __init__(self, workdir):
        self.root = HOME / "root"
        self.collections = HOME / "collections"
        self.venv = HOME / "venv"
        self.state = Path(tempfile.mkdtemp(prefix="dockerd-", dir=str(workdir)))
        self.socket = self.state / "docker.sock"
        self.process = None
        self.log = None

    # ---- install, into the cache only --------------------------------------------------------------

    def install(self):
        if not (self.root / "usr" / "sbin" / "dockerd").exists():
            self._unpack_packages()
        if not (self.collections / "ansible_collections" / "community" / "docker").exists():
            self._unpack_community_docker()
        if not (self.venv / "bin" / "python").exists():
            _run([sys.executable, "-m", "venv", str(self.venv)])
            _run([str(self.venv / "bin" / "pip"), "install", "-q", "requests"], timeout=600)

    def _unpack_packages(self):
        debs = HOME / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        download = ["apt-get", "download", *PACKAGES]
        if subprocess.run(download, cwd=debs, capture_output=True, check=False, timeout=600).returncode != 0:
            _run(["apt-get", "update"], timeout=600)  # a fresh machine has no package lists yet
            _run(download, cwd=debs, timeout=600)
        staging = Path(tempfile.mkdtemp(prefix="root-", dir=str(HOME)))
        for deb in sorted(debs.glob("*.deb")):
            _run(["dpkg-deb", "-x", str(deb), str(staging)])
        shutil.rmtree(self.root, ignore_errors=True)
        staging.rename(self.root)

    def _unpack_community_docker(self):
        core = _run([str(Path(sys.executable).with_name("ansible")), "--version"]).stdout.split("[core ")[1]
        requirement = ANSIBLE_FOR_CORE.get(".".join(core.split(".")[:2]), "ansible")
        with tempfile.TemporaryDirectory(dir=str(HOME)) as wheels:
            _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels, requirement],
                 timeout=900)
            wheel = next(Path(wheels).glob("ansible-*.whl"))
            staging = Path(tempfile.mkdtemp(prefix="collections-", dir=str(HOME)))
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(staging, members=[name for name in archive.namelist()
                                                     if name.startswith("ansible_collections/community/docker/")])
        shutil.rmtree(self.collections, ignore_errors=True)
        staging.rename(self.collections)

    def version(self):
        manifest = self.collections / "ansible_collections" / "community" / "docker" / "MANIFEST.json"
        collection = json.loads(manifest.read_text())["collection_info"]["version"]
        server = self.docker("version", "--format", "{{.Server.Version}}").stdout.strip()
        return {"dockerd": server, "community.docker": collection}

    # ---- the daemon ----------------------------------------------------------------------------------

    def environment(self):
        path = "%s:%s:%s" % (self.root / "usr" / "bin", self.root / "usr" / "sbin", os.environ.get("PATH", ""))
        return dict(os.environ, PATH=path, DOCKER_HOST="unix://%s" % self.socket)

    def docker(self, *args):
        return _run([str(self.root / "usr" / "bin" / "docker"), *args], env=self.environment(), timeout=120)

    def start(self):
        self.log = (self.state / "dockerd.log").open("wb")
        # the daemon outlives this method: stop() ends it
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.root / "usr" / "sbin" / "dockerd"), "--data-root", str(self.state / "data"),
             "--exec-root", str(self.state / "exec"), "--pidfile", str(self.state / "dockerd.pid"),
             "--host", "unix://%s" % self.socket, "--iptables=false", "--ip6tables=false", "--bridge=none",
             "--containerd-namespace", "bench-docker", "--containerd-plugins-namespace", "bench-docker-plugins"],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.environment(), start_new_session=True)
        deadline = time.monotonic() + READY_TIMEOUT
        while True:  # readiness: the API answers
            if subprocess.run([str(self.root / "usr" / "bin" / "docker"), "version"], capture_output=True,
                              env=self.environment(), check=False, timeout=30).returncode == 0:
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise ContenderError("dockerd did not come up: %s" % (self.state / "dockerd.log").read_text()[-2000:])
            time.sleep(0.1)

    def load_image(self):
        """The benchmark's busybox as ``busybox:latest`` (a docker image of the same root file system)."""
        diff, _compressed = images.layer(images.busybox_entries())
        rootfs = self.state / "busybox-rootfs.tar"
        rootfs.write_bytes(diff)
        self.docker("import", "--change", 'CMD ["sh"]', str(rootfs), IMAGE)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # dockerd stops its containers and its containerd
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=30)
        if self.log:
            self.log.close()
        subprocess.run(["rm", "-rf", str(self.state)], check=False)

    # ---- what the benchmark's loop needs -----------------------------------------------------------------

    def task_options(self):
        """Module options every docker_container task of the benchmark carries."""
        return {"docker_host": "unix://%s" % self.socket, "network_mode": "none"}

    def task_vars(self):
        return {"ansible_python_interpreter": str(self.venv / "bin" / "python")}

    def ansible_env(self):
        return {"ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (ensure_collection_link(), self.collections)}
