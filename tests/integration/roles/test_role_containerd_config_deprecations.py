# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""After a (re)start the containerd role reads ``ctr deprecations list --format json`` into the
fact ``containerd_deprecations`` where ctr has that command (1.6.25, 1.7.9, 2.0+: Debian's 1.6.20 has not, and
the role decides it by ctr's version, not by the command failing); ``containerd_fail_on_deprecations: true`` fails the run when it lists any.
A deprecated setting in use: the CRI plugin's ``registry.configs.<host>.auth`` (hosts.toml replaces it)."""
from harness.roles import failed_tasks


def deprecated_override(host):
    cri = "io.containerd.grpc.v1.cri" if host.version.startswith("1.") else "io.containerd.cri.v1.images"
    return host.private_overrides({"plugins": {cri: {"registry": {
        "configs": {"registry.invalid": {"auth": {"username": "test", "password": "not-a-secret"}}}}}}})


def deprecations_fact(play):
    facts = [record["result"].get("ansible_facts", {}) for record in play.records
             if "containerd_deprecations" in record["result"].get("ansible_facts", {})]
    return facts[-1] if facts else None


def test_deprecations_are_read_after_the_start(role_host):
    play = role_host.play(containerd_config_overrides=deprecated_override(role_host))
    assert play.rc == 0, play
    facts = deprecations_fact(play)
    assert facts is not None, play
    if role_host.version == "1.6":  # Debian's ctr 1.6.20 has no deprecations command (1.6.25 has)
        assert facts["containerd_deprecations"] == [] and facts["containerd_deprecations_supported"] is False
        return
    ids = [entry["id"] for entry in facts["containerd_deprecations"]]
    assert any(entry.startswith("io.containerd.deprecation/cri-registry") for entry in ids), facts


def test_fail_on_deprecations_fails_the_run(role_host):
    if role_host.version == "1.6":
        return  # nothing to read on 1.6 (see above)
    play = role_host.play(containerd_config_overrides=deprecated_override(role_host),
                          containerd_fail_on_deprecations=True)
    assert play.rc != 0
    failed = failed_tasks(play)
    assert failed and "deprecat" in failed[-1]["result"]["msg"], failed
    assert role_host.ctr_version().returncode == 0  # the daemon keeps running


def test_no_deprecations_with_the_role_defaults(role_host):
    play = role_host.play(containerd_fail_on_deprecations=True)
    assert play.rc == 0, play
    assert deprecations_fact(play)["containerd_deprecations"] == []
