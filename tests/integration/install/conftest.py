# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the containerd_install tests: a release mirror on loopback, an ansible runner, helpers.

No containerd daemon is needed to install binaries, so ``ansible`` here runs plays without the
connection defaults (and without the daemon) of the parent conftest. Installed containerd binaries are
started with ``harness.daemon.ContainerdDaemon(version, bin_dir=...)`` and destroyed by the test.
"""
import json
import subprocess

import pytest

from harness import release_mirror
from harness.ansible import Ansible
from harness.binaries import CACHE
from harness.images import ARCH
from harness.installed import reported_version, staging_leftovers

MODULE = "containerd.runtime.containerd_install"


@pytest.fixture(scope="session")
def mirror(tmp_path_factory):
    """The release mirror (see harness/release_mirror.py), built once into the cache, served per worker."""
    release_mirror.build(CACHE / "release-mirror")
    server = release_mirror.ReleaseMirror(CACHE / "release-mirror", tmp_path_factory.mktemp("mirror")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def versions():
    """Upstream versions of the cached builds: {"1.6": "1.6.20", "1.7": ..., "2.x": ..., "runc": ..., ...}."""
    return release_mirror.versions()


@pytest.fixture
def ansible(tmp_path):
    return Ansible(tmp_path / "ansible")


@pytest.fixture
def root(tmp_path):
    """A temporary install root: every install of these tests goes below it, never into /usr/local or /opt."""
    path = tmp_path / "root"
    path.mkdir()
    return path


@pytest.fixture
def install(ansible, mirror, tmp_path):
    """install(**args) runs containerd_install from the mirror with a per-test cache; returns the result.
    ``install.converge(observe=None, **args)`` runs ``ansible.converge`` with those options."""
    def options(args):
        args.setdefault("mirror", mirror.url)
        args.setdefault("cache_dir", str(tmp_path / "cache"))
        return {key: value for key, value in args.items() if value is not None}

    def run(check=False, diff=True, **args):
        return ansible.module(MODULE, options(args), check=check, diff=diff)
    # check mode downloads nothing: its diff cannot list the archive's files
    run.converge = lambda observe=None, **args: ansible.converge(MODULE, options(args), observe=observe,
                                                                 predicted=("actions", "differences"))
    return run


@pytest.fixture
def archive_name(versions):
    def name(key):
        return f"containerd-{versions[key]}-linux-{ARCH}.tar.gz"
    return name


@pytest.fixture
def installed(install, versions):
    """installed(dest, key="1.7") installs containerd ``versions[key]`` into ``dest``; returns a check that it is
    still there, unchanged (manifest and every file's sha256), runnable, without staging leftovers, and that a
    second run changes nothing. ``check.dest`` is ``dest``."""
    def make(dest, key="1.7"):
        result = install(name="containerd", version=versions[key], dest=str(dest))
        assert result["status"] == "changed", result
        manifest = (dest / ".containerd.runtime-containerd.json").read_text()

        def intact():
            assert (dest / ".containerd.runtime-containerd.json").read_text() == manifest
            for entry in json.loads(manifest)["files"]:
                assert subprocess.run(["sha256sum", entry["path"]], capture_output=True, text=True,
                                      check=True).stdout.split()[0] == entry["sha256"]
            assert versions[key] in reported_version(dest / "containerd")
            assert staging_leftovers(dest) == []
            assert install(name="containerd", version=versions[key], dest=str(dest))["status"] == "ok"

        intact.dest = dest
        return intact
    return make


@pytest.fixture
def previous(installed, root):
    """containerd 1.7 installed in root/bin; yields a check that it is still there, unchanged and runnable."""
    return installed(root / "bin")
