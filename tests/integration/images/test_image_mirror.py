# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: a pull through a mirror that only a hosts_dir defines, while the original registry is down."""
from harness.registry import free_port


def test_pull_through_a_hosts_dir_mirror_while_the_original_is_down(
        ansible, containerd, namespace, registry, publish, repo, busybox_archive, tmp_path):
    _mirror_ref, digest = publish(registry, busybox_archive, repo, "1")
    original = "127.0.0.1:%d" % free_port()  # nothing listens there
    hosts_dir = tmp_path / "certs.d"
    (hosts_dir / original).mkdir(parents=True)
    (hosts_dir / original / "hosts.toml").write_text(
        'server = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n'
        % (original, registry.host))
    ref = "%s/%s:1" % (original, repo)
    args = {"name": ref, "hosts_dir": str(hosts_dir)}

    converged = ansible.converge("image", args, again_args=dict(args, pull="always"),
                                 observe=lambda: containerd.lines("images", "ls", "-q", namespace=namespace))
    assert converged.check["image"]["digest"] == digest
    assert converged.before == []
    assert converged.real["image"]["digest"] == digest
    assert converged.after == [ref]
