# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults in reaching containerd: each a clear failed message, never a traceback."""
import os

import pytest

from harness.assertions import assert_clean_failure


def test_a_socket_that_does_not_exist_says_the_service_is_not_running(ansible, tmp_path, namespace):
    socket = str(tmp_path / "nowhere" / "containerd.sock")
    result = ansible.module("namespace", {"name": namespace, "address": socket})
    assert_clean_failure(result, "containerd is not running at %s — is the service started?" % socket)


def test_a_ctr_path_that_is_not_executable_is_named(ansible, tmp_path, namespace):
    fake = tmp_path / "ctr"
    fake.write_text("not a program\n")
    result = ansible.module("containerd_info", {"ctr_path": str(fake)})
    assert_clean_failure(result, "ctr_path %s is not an executable file" % fake)


def test_a_ctr_path_that_does_not_exist_is_named(ansible, tmp_path):
    result = ansible.module("containerd_info", {"ctr_path": str(tmp_path / "missing" / "ctr")})
    assert_clean_failure(result, "is not an executable file")


def test_a_daemon_killed_mid_run_fails_the_next_task_clearly(tmp_path, daemon_factory, containerd, namespace):
    from harness.ansible import Ansible

    victim = daemon_factory(containerd.version)
    runner = Ansible(tmp_path / "a", defaults={"address": victim.socket, "ctr_path": victim.ctr_path})
    play = runner.run([
        {"containerd.runtime.namespace": {"name": namespace}},
        {"ansible.builtin.command": {"argv": ["kill", "-KILL", str(victim.pid)]}},
        {"containerd.runtime.namespace": {"name": namespace, "labels": {"after": "kill"}}},
    ])
    assert play.statuses() == ["changed", "changed", "failed"], play
    assert_clean_failure(dict(play[2], status="failed"), "containerd is not running at %s" % victim.socket)
    victim.proc.wait()


def test_a_hung_daemon_fails_with_a_timeout_message(tmp_path, daemon_factory, containerd):
    from harness.ansible import Ansible

    victim = daemon_factory(containerd.version)
    runner = Ansible(tmp_path / "a", defaults={"address": victim.socket, "ctr_path": victim.ctr_path})
    victim.pause()
    try:
        result = runner.module("containerd_info", {"timeout": 2})
    finally:
        victim.resume()
    assert_clean_failure(result, "did not answer within 2s")


@pytest.mark.parametrize("timeout", [0, -5])
def test_a_timeout_that_is_not_positive_is_rejected(ansible, timeout):
    result = ansible.module("containerd_info", {"timeout": timeout})
    assert_clean_failure(result, "timeout must be a positive number")


def test_environment_variables_supply_address_and_namespace(tmp_path, containerd, namespace, busybox):
    from harness.ansible import Ansible

    runner = Ansible(tmp_path / "a", defaults={"ctr_path": containerd.ctr_path},
                     env={"CONTAINERD_ADDRESS": containerd.socket, "CONTAINERD_NAMESPACE": namespace})
    result = runner.module("containerd_info", {"images": True})
    assert result["status"] == "ok", result
    assert [image["name"] for image in result["images"]] == [busybox]
    assert namespace in [n["name"] for n in result["namespaces"]]
    assert os.environ.get("CONTAINERD_ADDRESS") is None
