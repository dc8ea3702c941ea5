# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role with ``containerd_install_bundle: cri``: the cri-containerd bundle the operator guide
unpacks with ``tar -C /``, installed from the loopback release mirror (bundles built from the Debian 1.6/1.7
binaries) into a private prefix, run by the role as a supervised daemon on a real containerd.

The role is the code under test and starts containerd itself; ``RoleHost.cleanup`` stops it by PID.
"""
import json
import tempfile

import pytest

from harness.roles import RoleHost, changed_tasks


class BundleHost:
    """A RoleHost whose binaries come from the bundle: containerd's in <prefix>/usr/local/bin, runc and the
    CNI plugins below the same prefix, unit and crictl.yaml in the private layout."""

    def __init__(self, version, mirror, cache):
        self.host = RoleHost(version, tempfile.mkdtemp(prefix="cbundle-", dir="/tmp"))
        self.prefix = self.host.base / "prefix"
        self.bin = self.prefix / "usr/local/bin"
        self.sbin = self.prefix / "usr/local/sbin"
        self.cni = self.prefix / "opt/cni/bin"
        self.crictl = self.host.etc / "crictl.yaml"
        self.unit = self.host.base / "systemd" / "containerd.service"
        self.host.bin = self.bin  # RoleHost.ctr and .containerd use the bundle's binaries
        self.host.ansible.env["CONTAINERD_RUNTIME_CACHE"] = str(cache)
        self.vars = {
            "containerd_install_method": "release",
            "containerd_install_bundle": "cri",
            "containerd_install_prefix": str(self.prefix),
            "containerd_bin_dir": str(self.bin),
            "containerd_mirror": mirror.url,
            "containerd_crictl_config_path": str(self.crictl),
            "containerd_cni_bin_dir": str(self.cni),
            "containerd_path_env": "%s:%s:/usr/sbin:/usr/bin:/sbin:/bin" % (self.bin, self.sbin),
        }

    def play(self, check=False, **role_vars):
        return self.host.play(check=check, **dict(self.vars, **role_vars))

    def manifest(self):
        return json.loads((self.bin / ".containerd.runtime-cri.json").read_text())

    def server_version(self):
        out = self.host.ctr("version").stdout
        server = out.split("Server:", 1)[1]
        return [line.split(":", 1)[1].strip() for line in server.splitlines()
                if line.strip().startswith("Version:")][0]


@pytest.fixture
def bundle_host(request, mirror, tmp_path):
    made = []

    def make(version):
        made.append(BundleHost(version, mirror, tmp_path / "cache"))
        return made[-1]
    try:
        yield make
    finally:
        for bundle in made:
            bundle.host.cleanup()


@pytest.mark.parametrize("key", ["1.6", "1.7"])
def test_role_installs_the_cri_bundle_with_its_own_unit_and_crictl_yaml(bundle_host, versions, key):
    bundle = bundle_host(key)
    play = bundle.play(containerd_version=versions[key])
    assert play.rc == 0, play
    for path in (bundle.bin / "containerd", bundle.bin / "ctr", bundle.bin / "containerd-shim-runc-v2",
                 bundle.sbin / "runc", bundle.cni / "bridge", bundle.cni / "loopback"):
        assert path.is_file(), path
    manifest = bundle.manifest()
    assert manifest["component"] == "cri" and manifest["version"] == versions[key]
    assert str(bundle.sbin / "runc") in [entry["path"] for entry in manifest["files"]]
    # the archive's etc/ is not unpacked: the unit and crictl.yaml are the role's
    assert not (bundle.prefix / "etc").exists()
    unit = bundle.unit.read_text()
    assert "ExecStart=%s/containerd --config %s\n" % (bundle.bin, bundle.host.config) in unit
    assert "Type=notify" in unit and "Delegate=yes" in unit
    crictl = bundle.crictl.read_text()
    assert "runtime-endpoint: unix://%s\n" % bundle.host.socket in crictl
    assert "image-endpoint: unix://%s\n" % bundle.host.socket in crictl
    assert (bundle.crictl.stat().st_mode & 0o777) == 0o644
    assert bundle.server_version().startswith(versions[key])


def test_second_run_of_the_bundle_install_changes_nothing(bundle_host, versions):
    bundle = bundle_host("1.7")
    assert bundle.play(containerd_version=versions["1.7"]).rc == 0
    daemon = bundle.host.daemon_pid()
    again = bundle.play(containerd_version=versions["1.7"])
    assert again.rc == 0, again
    assert changed_tasks(again) == []
    assert bundle.host.daemon_pid() == daemon and bundle.host.starts() == 1


def test_check_mode_predicts_a_bundle_upgrade_and_changes_nothing(bundle_host, versions, mirror):
    bundle = bundle_host("1.6")
    assert bundle.play(containerd_version=versions["1.6"]).rc == 0
    before = bundle.manifest()
    daemon = bundle.host.daemon_pid()
    mark = mirror.mark()
    play = bundle.play(check=True, containerd_version=versions["1.7"])
    assert play.rc == 0, play
    install = next(record for record in play.records if record["task"].endswith("Install containerd from its release archive"))
    assert install["status"] == "changed"
    assert install["result"]["actions"] == ["upgraded containerd (cri bundle) %s -> %s" % (versions["1.6"], versions["1.7"])]
    assert bundle.manifest() == before
    assert mirror.gets("", since=mark) == 0  # check mode downloads nothing
    assert bundle.host.daemon_pid() == daemon and bundle.server_version().startswith(versions["1.6"])


def test_a_2x_version_with_the_bundle_is_refused_before_anything_is_installed(bundle_host, versions, mirror):
    bundle = bundle_host("2.x")
    mark = mirror.mark()
    play = bundle.play(containerd_version=versions["2.x"])
    assert play.rc != 0
    (task, message), = play.failures()
    assert "cri-containerd bundle" in task
    assert "containerd_install_bundle" in message and "removed it in 2.0" in message, message
    assert versions["2.x"] in message
    assert not bundle.prefix.exists() and not bundle.crictl.exists()
    assert mirror.gets("", since=mark) == 0
