# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The runc and cni roles with pre-installed binaries (install_method none) and a CNI network.

Release installs go through containerd.runtime.containerd_install, which has its own tests; here the
roles' own logic runs against the harness's real runc and CNI plugins, with every path in a temp dir.
"""
import json

import pytest

from harness import binaries
from harness.ansible import Ansible

from harness.roles import changed_tasks


@pytest.fixture
def runner(tmp_path):
    return Ansible(tmp_path / "ansible")


def test_runc_role_checks_and_reports_the_version(runner):
    runc_dir = str(binaries.tool("runc").parent)
    play = runner.run([], roles=[{"role": "containerd.runtime.runc"}],
                      play_vars={"runc_install_method": "none", "runc_bin_dir": runc_dir})
    assert play.rc == 0, play
    facts = [r["result"]["ansible_facts"] for r in play.records if "ansible_facts" in r["result"]]
    assert facts and facts[-1]["runc_installed_version"][0].isdigit(), facts
    assert changed_tasks(play) == []

    missing = runner.run([], roles=[{"role": "containerd.runtime.runc"}],
                         play_vars={"runc_install_method": "none", "runc_bin_dir": "/nonexistent"})
    assert missing.rc != 0
    assert "is not an executable file" in missing.records[-1]["result"]["msg"]


def test_cni_role_writes_and_removes_networks(runner, tmp_path):
    conf_dir = tmp_path / "net.d"
    variables = {
        "cni_install_method": "none", "cni_bin_dir": str(binaries.cni_bin_dir()), "cni_conf_dir": str(conf_dir),
        "cni_networks": [{"name": "crole-net", "bridge": "crole0", "subnets": ["10.251.77.0/24"]}],
    }
    play = runner.run([], roles=[{"role": "containerd.runtime.cni"}], play_vars=variables)
    assert play.rc == 0, play
    conflists = list(conf_dir.glob("*crole-net*"))
    assert len(conflists) == 1, list(conf_dir.iterdir())
    document = json.loads(conflists[0].read_text())
    assert document["name"] == "crole-net" and document["plugins"][0]["bridge"] == "crole0"

    again = runner.run([], roles=[{"role": "containerd.runtime.cni"}], play_vars=variables)
    assert again.rc == 0 and changed_tasks(again) == []

    removed = runner.run([], roles=[{"role": "containerd.runtime.cni"}], play_vars=dict(variables, cni_state="absent"))
    assert removed.rc == 0, removed
    assert not list(conf_dir.glob("*crole-net*"))


def test_cni_role_rejects_a_network_without_name(runner, tmp_path):
    play = runner.run([], roles=[{"role": "containerd.runtime.cni"}], play_vars={
        "cni_install_method": "none", "cni_conf_dir": str(tmp_path), "cni_networks": [{"bridge": "x"}]})
    assert play.rc != 0
    assert "name" in play.records[-1]["result"]["msg"]
