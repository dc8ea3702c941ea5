# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets stay secret (issue 13): every option that carries one, exercised at -vvv with --diff.

The secret appears in no stdout/stderr, result, diff or warning, in no file more readable than 0600 under
the directories the test used, and on no process's argv: /proc/*/cmdline is sampled while a pull runs
through a loopback proxy that holds each connection a few seconds (harness.registry.DelayingProxy).
"""
import base64
import json
import os
import stat
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

from harness.binaries import VERSIONS
from harness.registry import DelayingProxy
from harness.roles import RoleHost


OLDEST, NEWEST = min(VERSIONS), max(VERSIONS)


def _processes():
    """{pid: (ppid, argv as text)} of every process now."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        found[int(entry.name)] = (ppid, argv)
    return found


class ArgvSampler(threading.Thread):
    """Samples every process's argv until stopped; ``seen`` maps pid to (ppid, argv)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seen = {}
        self.samples = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            for pid, (ppid, argv) in _processes().items():
                self.seen.setdefault((pid, argv), ppid)
            self.samples += 1

    def stop(self):
        self.stopped.set()
        self.join(10)

    def descendants(self, marker):
        """argv of the processes started (transitively) by one whose argv contains ``marker``."""
        parents = {}
        for (pid, argv), ppid in self.seen.items():
            parents.setdefault(pid, []).append((ppid, argv))
        roots = set(pid for (pid, argv) in self.seen if marker in argv)
        found = []
        for (pid, argv), _ppid in self.seen.items():
            current, hops = pid, 0
            while current and hops < 50:
                if current in roots:
                    found.append(argv)
                    break
                current = parents.get(current, [(0, "")])[0][0]
                hops += 1
        return found


def _readable_files_holding(base, secrets, skip=()):
    """Files under ``base`` that hold one of ``secrets`` and that others may read (mode & 0o077)."""
    found = []
    for root, _dirs, files in os.walk(str(base)):
        for name in files:
            path = os.path.join(root, name)
            if any(part in path for part in skip):
                continue
            try:
                info = os.lstat(path)
                if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o077:
                    continue
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            if any(secret.encode() in data for secret in secrets):
                found.append("%s (%o)" % (path, stat.S_IMODE(info.st_mode)))
    return found


def _assert_not_shown(play, secrets):
    shown = play.stdout + play.stderr + json.dumps(play.records)
    where = ["...%s..." % shown[max(0, shown.index(secret) - 300):shown.index(secret) + 60]
             for secret in secrets if secret in shown]
    assert where == []


def test_the_image_password_is_on_no_argv_output_or_readable_file(ansible, containerd, namespace, auth_registry,
                                                                  publish, repo, busybox_archive, tmp_path):
    publish(auth_registry, busybox_archive, repo, "1")
    proxy = DelayingProxy(auth_registry, delay=1.5)
    sampler = ArgvSampler()
    try:
        hosts_dir = proxy.write_hosts_toml(tmp_path / "certs.d")
        task = {"containerd.runtime.image": {"name": proxy.ref(repo, "1"), "hosts_dir": str(hosts_dir),
                                             "username": auth_registry.username, "password": auth_registry.password,
                                             "pull": "always"}}
        sampler.start()
        play = ansible.run([task], verbosity=3, diff=True)
    finally:
        sampler.stop()
        proxy.stop()
    assert play.status(0) == "changed", play
    secret = auth_registry.password
    basic = base64.b64encode(("%s:%s" % (auth_registry.username, secret)).encode()).decode()
    _assert_not_shown(play, [secret, basic])
    # what the play started (module, ctr) and anything naming the proxy: the harness's own set-up pushes, which
    # use plain ctr with --user, may run in parallel
    mine = sampler.descendants(str(ansible.workdir)) + [argv for (_pid, argv) in sampler.seen if proxy.host in argv]
    pulls = [argv for argv in mine if " images pull " in argv and proxy.host in argv]
    assert pulls, "no ctr pull was sampled (%d samples)" % sampler.samples
    assert [argv for argv in mine if secret in argv or basic in argv] == []
    assert "--user" not in " ".join(pulls)
    assert _readable_files_holding(tmp_path, [secret, basic], skip=("/play-",)) == []  # play-*.yml: the test's input
    private = [argv.split("--hosts-dir ", 1)[1].split()[0] for argv in pulls if "--hosts-dir " in argv]
    assert private and all(not os.path.exists(path) for path in private), private


@pytest.fixture(params=[OLDEST, NEWEST], ids=lambda version: "containerd-" + version)
def secrets_role_host(request):
    """The role's private layout (harness.roles.RoleHost) on the oldest and the newest containerd (each with its
    own config version; the CRI registry credentials live under a different plugin on each). The role starts
    containerd; cleanup stops it by PID."""
    host = RoleHost(request.param, tempfile.mkdtemp(prefix="crole-secrets-", dir="/tmp"))
    try:
        yield host
    finally:
        host.cleanup()


def test_role_secrets_are_in_no_output_and_only_in_0600_files(secrets_role_host):
    host = secrets_role_host
    tag = uuid.uuid4().hex[:8]
    secrets = {name: "%s-%s" % (name, tag) for name in ("password", "token", "header", "mirror", "proxy", "config")}
    registries = [
        {"name": "basic.example:5000", "username": "puller", "password": secrets["password"]},
        {"name": "token.example", "token": secrets["token"]},
        {"name": "header.example", "headers": {"X-Api-Key": secrets["header"]}},
        {"name": "mirror.example", "mirrors": [{"url": "https://127.0.0.1:9", "username": "m",
                                                "password": secrets["mirror"]}]},
    ]
    # a hosts.toml that exists 0644 before credentials arrive: it is never readable with them in it
    existing = host.certs / "basic.example:5000" / "hosts.toml"
    existing.parent.mkdir(parents=True)
    existing.write_text('server = "https://basic.example:5000"\n')
    existing.chmod(0o644)
    # hosts.toml holds Basic credentials base64-encoded
    hidden = list(secrets.values()) + [base64.b64encode(("%s:%s" % pair).encode()).decode()
                                       for pair in (("puller", secrets["password"]), ("m", secrets["mirror"]))]
    leaks = []
    watching = threading.Event()

    def watch():
        while not watching.is_set():
            try:
                mode = existing.stat().st_mode
                if mode & 0o077 and hidden[-2] in existing.read_text():
                    leaks.append(oct(mode))
            except OSError:
                pass
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cri = "io.containerd.grpc.v1.cri" if host.version.startswith("1.") else "io.containerd.cri.v1.images"
    config = {"plugins": {cri: {"registry": {"configs": {"127.0.0.1:9": {"auth": {
        "username": "u", "password": secrets["config"]}}}}}}}
    try:
        play = host.ansible.run([], roles=[{"role": "containerd.runtime.containerd"}], play_vars=dict(
            host.vars, containerd_registries=registries,
            containerd_environment={"HTTPS_PROXY": "http://user:%s@127.0.0.1:9" % secrets["proxy"],
                                    "NO_PROXY": "127.0.0.1,localhost"},
            containerd_config_overrides=host.private_overrides(config)), diff=True, verbosity=3)
    finally:
        watching.set()
        watcher.join(10)
    assert play.rc == 0, play
    _assert_not_shown(play, hidden)
    assert leaks == []
    assert _readable_files_holding(host.base, hidden, skip=("/play-",)) == []
    for path in (existing, host.config, host.etc / "supervise.json", host.log):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert secrets["config"] in host.config.read_text()  # the file is private, not emptied
