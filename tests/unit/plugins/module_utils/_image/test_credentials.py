# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry credentials reach ctr in a private hosts dir, never on its argv (ctr stubbed; the real pull is
tests/integration/images/test_secrets_stay_secret.py)."""
import os
import stat

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._image import credentials
from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._image import registry
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.images import RegistryOptions

try:
    import tomllib
except ImportError:  # pragma: no cover
    tomllib = None


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setattr(credentials, "authorization",
                        lambda options, ref, actions: registry.basic_authorization(options.username, options.password))


def _seen(seen):
    def reply(argv):
        directory = argv[argv.index("--hosts-dir") + 1]
        path = os.path.join(directory, "127.0.0.1:5000", "hosts.toml")
        seen.update(argv=list(argv), directory=directory, text=open(path).read(),
                    modes=(stat.S_IMODE(os.stat(directory).st_mode), stat.S_IMODE(os.stat(path).st_mode)))
        return 0, "", ""
    return reply


@pytest.mark.parametrize("operation", ["pull", "push"])
def test_credentials_reach_ctr_in_a_private_hosts_dir_merged_over_the_users(versioned_client, tmp_path, no_network,
                                                                            operation):
    users = tmp_path / "certs.d" / "127.0.0.1:5000"
    users.mkdir(parents=True)
    (users / "hosts.toml").write_text('server = "https://127.0.0.1:5000"\nca = "ca.crt"\n'
                                      '[host."https://mirror:5001"]\n  capabilities = ["pull"]\n'
                                      '[host."https://mirror:5001".header]\n  X-Team = "a"\n')
    seen = {}
    versioned_client.runner.replies.append(_seen(seen))
    options = RegistryOptions(hosts_dir=str(tmp_path / "certs.d"), username="u", password="s3cret")
    ref = reference.parse("127.0.0.1:5000/app:1")
    getattr(versioned_client, operation + "_image")(ref, options)
    assert not any("s3cret" in arg or "u:" in arg for arg in seen["argv"]) and "--user" not in seen["argv"]
    assert seen["modes"] == (0o700, 0o600)
    data = tomllib.loads(seen["text"])
    auth = registry.basic_authorization("u", "s3cret")
    assert data["server"] == "https://127.0.0.1:5000" and data["ca"] == str(users / "ca.crt")
    assert data["header"] == {"Authorization": auth}
    assert data["host"]["https://mirror:5001"] == {"capabilities": ["pull"], "header": {"X-Team": "a", "Authorization": auth}}
    assert not os.path.exists(seen["directory"])


def test_the_private_hosts_dir_is_removed_when_ctr_fails(versioned_client, no_network):
    seen = {}

    def fail(argv):
        _seen(seen)(argv)
        return 1, "", "ctr: failed to resolve reference: not found"
    versioned_client.runner.replies.append(fail)
    with pytest.raises(Exception):
        versioned_client.pull_image(reference.parse("127.0.0.1:5000/app:1"), RegistryOptions(username="u", password="p"))
    assert "Authorization" in seen["text"] and not os.path.exists(seen["directory"])


def test_a_bearer_registry_gets_a_token_fetched_with_the_credentials():
    def opener(url, method, headers, endpoint):
        if url.startswith("https://auth.example.com/"):
            assert "scope=repository%3Aapp%3Apull%2Cpush" in url
            assert headers["Authorization"] == registry.basic_authorization("u", "p")
            return 200, {}, b'{"token": "tok"}'
        raise registry.HTTPError(url, 401, "Unauthorized",
                                 {"WWW-Authenticate": 'Bearer realm="https://auth.example.com/token"'}, None)
    client = registry.RegistryClient("u", "p", opener=opener)
    assert client.authorization(reference.parse("r.example.com/app:1"), "pull,push") == "Bearer tok"
