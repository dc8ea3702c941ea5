# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_config masks the secret parts of a config in its result and diff (the role's run is
tests/integration/images/test_secrets_stay_secret.py)."""
from ansible_collections.containerd.runtime.plugins.module_utils._config.secrets import MASK, has_secrets, mask, mask_text

CRI = "io.containerd.grpc.v1.cri"


def test_registry_credentials_and_headers_are_masked_and_nothing_else():
    config = {"root": "/var/lib/containerd", "plugins": {CRI: {"registry": {
        "config_path": "/etc/containerd/certs.d", "headers": {"X-Key": ["k"]},
        "configs": {"r:5000": {"auth": {"username": "u", "password": "p", "auth": "dTpw", "identitytoken": "t"},
                               "tls": {"insecure_skip_verify": True}}}}}}}
    masked = mask(config)
    registry = masked["plugins"][CRI]["registry"]
    assert registry["configs"]["r:5000"]["auth"] == {"username": "u", "password": MASK, "auth": MASK,
                                                     "identitytoken": MASK}
    assert registry["headers"] == {"X-Key": [MASK]} and registry["config_path"] == "/etc/containerd/certs.d"
    assert registry["configs"]["r:5000"]["tls"] == {"insecure_skip_verify": True}
    assert masked["root"] == "/var/lib/containerd" and config["plugins"][CRI]["registry"]["headers"] == {"X-Key": ["k"]}
    assert has_secrets(config) and not has_secrets({"root": "/x", "plugins": {CRI: {"registry": {"config_path": ""}}}})


def test_a_config_that_is_not_toml_is_masked_line_by_line():
    text = '[plugins."cri".registry.configs."r".auth]\n  password = "p"\n  username = "u"\n[a.headers]\n  X = "t"\n[b]\n  c = 1\n'
    assert mask_text(text) == ('[plugins."cri".registry.configs."r".auth]\n  password = "%s"\n  username = "u"\n'
                               '[a.headers]\n  X = "%s"\n[b]\n  c = 1\n' % (MASK, MASK))
