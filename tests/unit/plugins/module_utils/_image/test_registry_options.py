# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module registry options -> RegistryOptions for ctr and the RegistryClient of digest look-ups (one helper)."""
from ansible_collections.containerd.runtime.plugins.module_utils._image import registry_options


def test_the_image_modules_options_reach_ctr_and_the_registry_client(tmp_path):
    options = registry_options.registry_options(dict(plain_http=False, skip_verify=True, hosts_dir=str(tmp_path),
                                                     username="u", password="p"))
    assert (options.plain_http, options.skip_verify, options.hosts_dir, options.username, options.password) == (
        False, True, str(tmp_path), "u", "p")
    client = registry_options.registry_client(options, 7)
    assert (client.plain_http, client.skip_verify, client.hosts_dir, client.username, client.password,
            client.timeout) == (False, True, str(tmp_path), "u", "p", 7)


def test_options_a_module_lacks_count_as_unset(monkeypatch, tmp_path):
    monkeypatch.setattr(registry_options, "DEFAULT_HOSTS_DIR", str(tmp_path / "absent"))
    options = registry_options.registry_options(dict(plain_http=True, hosts_dir=None))
    assert (options.plain_http, options.skip_verify, options.hosts_dir, options.username, options.password) == (
        True, False, None, None, None)


def test_hosts_dir_defaults_to_certs_d_when_it_exists(monkeypatch, tmp_path):
    monkeypatch.setattr(registry_options, "DEFAULT_HOSTS_DIR", str(tmp_path))
    assert registry_options.registry_options(dict(hosts_dir=None)).hosts_dir == str(tmp_path)
