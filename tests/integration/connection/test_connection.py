# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tasks inside containerd containers through the containerd.runtime.containerd connection."""
import base64
import hashlib
import os
import threading

from harness import container_hosts


def test_setup_gathers_facts_inside_the_container(play):
    result = play([{"name": "facts", "ansible.builtin.setup": {"gather_subset": ["!all", "virtual"]}}])
    facts = result[0]["ansible_facts"]
    assert result.status(0) == "ok", result
    assert facts["ansible_virtualization_role"] == "guest", facts
    assert facts["ansible_virtualization_type"] == "container", facts


def test_a_failing_command_reports_its_rc_stdout_and_stderr(play):
    result = play([{"name": "fail", "ansible.builtin.command": {
        "argv": ["sh", "-c", "echo out; echo err >&2; exit 3"]}}])
    assert result.status(0) == "failed", result
    assert (result[0]["rc"], result[0]["stdout"], result[0]["stderr"]) == (3, "out", "err")


def test_copy_of_a_5mib_binary_file_arrives_byte_for_byte_and_fetches_back(play, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(os.urandom(5 * 1024 * 1024))
    fetched = tmp_path / "fetched"
    result = play([
        {"name": "copy", "ansible.builtin.copy": {"src": str(blob), "dest": "/tmp/blob.bin", "mode": "0640"}},
        {"name": "stat", "ansible.builtin.stat": {"path": "/tmp/blob.bin", "checksum_algorithm": "sha256"}},
        {"name": "fetch", "ansible.builtin.fetch": {"src": "/tmp/blob.bin", "dest": str(fetched) + "/",
                                                    "flat": True}},
    ])
    assert result.failures() == [], result
    assert result.status(0) == "changed"
    stat = result[1]["stat"]
    assert (stat["size"], stat["checksum"], stat["mode"]) == (
        5 * 1024 * 1024, hashlib.sha256(blob.read_bytes()).hexdigest(), "0640")
    assert (fetched / "blob.bin").read_bytes() == blob.read_bytes()


def test_copy_to_a_name_with_spaces_and_non_ascii_letters(play):
    path = "/tmp/dir with spaces/Grüße, señor ñandú.txt"
    result = play([
        {"name": "dir", "ansible.builtin.file": {"path": "/tmp/dir with spaces", "state": "directory",
                                                 "mode": "0755"}},
        {"name": "copy", "ansible.builtin.copy": {"content": "ünïcödé\n", "dest": path, "mode": "0644"}},
        {"name": "read", "ansible.builtin.command": {"argv": ["cat", path]}},
    ])
    assert result.failures() == [], result
    assert result[2]["stdout"] == "ünïcödé"


def test_template_renders_on_the_controller_and_lands_in_the_container(play, hosts, tmp_path):
    template = tmp_path / "motd.j2"
    template.write_text("host {{ inventory_hostname }} in {{ ansible_containerd_namespace }}\n")
    result = play([
        {"name": "template", "ansible.builtin.template": {"src": str(template), "dest": "/etc/motd",
                                                          "mode": "0644"}},
        {"name": "again", "ansible.builtin.template": {"src": str(template), "dest": "/etc/motd", "mode": "0644"}},
        {"name": "slurp", "ansible.builtin.slurp": {"src": "/etc/motd"}},
    ], host="c2")
    assert result.statuses() == ["changed", "ok", "ok"], result
    assert base64.b64decode(result[2]["content"]).decode() == "host c2 in %s\n" % hosts.namespace


def test_become_user_runs_as_the_unprivileged_user(play):
    result = play([
        {"name": "id", "ansible.builtin.command": {"cmd": "id -un"}, "become": True, "become_user": "tester"},
        {"name": "file", "ansible.builtin.copy": {"content": "mine\n", "dest": "/home/tester/mine", "mode": "0600"},
         "become": True, "become_user": "tester"},
        {"name": "stat", "ansible.builtin.stat": {"path": "/home/tester/mine"}},
    ])
    assert result.failures() == [], result
    assert result[0]["stdout"] == "tester"
    assert result[2]["stat"]["pw_name"] == "tester"


def test_modules_run_with_become_when_pipelining_is_asked_for(play):
    result = play([
        {"name": "id", "ansible.builtin.command": {"cmd": "id -un"}, "become": True, "become_user": "tester"},
        {"name": "ping", "ansible.builtin.ping": {}},
    ], env={"ANSIBLE_PIPELINING": "1"}, host="c3")
    assert result.failures() == [], result
    assert result[0]["stdout"] == "tester"


def test_remote_user_runs_the_commands_as_that_user(play, containerd):
    result = play([{"name": "id", "ansible.builtin.command": {"cmd": "id -u"}}], host="c2",
                  host_vars={"ansible_user": "tester"})
    if containerd.version == "1.6":
        # ctr 1.6 cannot run an exec as a named user: a clear refusal, as the container module's user option
        assert result.status(0) == "unreachable" and "remote_user: user needs containerd 1.7 or later" in \
            result[0]["msg"], result
        return
    assert result.failures() == [], result
    assert result[0]["stdout"] == "1000"


def test_non_utf8_output_reaches_the_controller_byte_for_byte(play):
    # (a module whose JSON result holds non-UTF-8 text fails in ansible-core 2.19 on every connection, local
    # too: "Refusing to deserialize an invalid UTF8 string value"; raw output and file contents do arrive)
    latin1 = "\\377\\376 latin-1: \\351t\\351"
    result = play([
        {"name": "raw", "ansible.builtin.raw": "printf '%s'" % latin1},
        {"name": "file", "ansible.builtin.raw": "printf '%s' > /tmp/latin1" % latin1},
        {"name": "slurp", "ansible.builtin.slurp": {"src": "/tmp/latin1"}},
    ])
    assert result.failures() == [], result
    assert "latin-1:" in result[0]["stdout"]
    assert base64.b64decode(result[2]["content"]) == b"\xff\xfe latin-1: \xe9t\xe9"


def test_a_stopped_container_is_unreachable_with_a_clear_message(play, hosts):
    result = play([{"name": "ping", "ansible.builtin.ping": {}}], host=hosts.stopped)
    assert result.status(0) == "unreachable", result
    assert "%s in namespace %s" % (hosts.stopped, hosts.namespace) in result[0]["msg"]
    assert "has no running task" in result[0]["msg"]


def test_a_missing_container_is_unreachable_with_a_clear_message(play, hosts):
    result = play([{"name": "ping", "ansible.builtin.ping": {}}], host="nosuch")
    assert result.status(0) == "unreachable", result
    assert "container nosuch in namespace %s" % hosts.namespace in result[0]["msg"]
    assert "does not exist" in result[0]["msg"]


def test_a_container_without_python_runs_raw_and_names_the_missing_interpreter(play, hosts):
    result = play([
        {"name": "raw", "ansible.builtin.raw": "echo raw works"},
        {"name": "ping", "ansible.builtin.ping": {}},
    ], host=hosts.no_python)
    assert result.status(0) == "changed", result  # raw always reports changed
    assert result[0]["stdout"].strip() == "raw works"
    assert result.status(1) == "failed"
    assert "The module interpreter '/usr/bin/python3' was not found" in result[1]["msg"]


def test_two_plays_at_once_against_different_containers(containerd, hosts, tmp_path):
    results = {}

    def converge(host):
        runner = container_hosts.runner(tmp_path / host, containerd, hosts.namespace)
        results[host] = runner.run([
            {"name": "write", "ansible.builtin.copy": {"content": "%s\n" % host, "dest": "/tmp/who", "mode": "0644"}},
            {"name": "read", "ansible.builtin.command": {"cmd": "cat /tmp/who"}},
        ], inventory=container_hosts.inventory(containerd, hosts.namespace, [host]))

    threads = [threading.Thread(target=converge, args=(host,)) for host in hosts.running[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for host in hosts.running[:2]:
        assert results[host].failures() == [], results[host]
        assert results[host][1]["stdout"] == host
