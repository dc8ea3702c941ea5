# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_config's argument spec is declared once: the module stub and the action plugin use the same one,
and it declares exactly the documented options with their documented defaults and types."""
import yaml

from ansible_collections.containerd.runtime.plugins.action import containerd_config as action
from ansible_collections.containerd.runtime.plugins.module_utils._config.argspec import ARGUMENT_SPEC
from ansible_collections.containerd.runtime.plugins.modules import containerd_config as module


def test_the_action_plugin_validates_with_the_shared_spec():
    assert action.ARGUMENT_SPEC is ARGUMENT_SPEC


def test_the_module_stub_declares_the_shared_spec():
    assert module.ARGUMENT_SPEC is ARGUMENT_SPEC


def test_the_spec_declares_the_documented_options_with_their_types_and_defaults():
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(ARGUMENT_SPEC)
    for name, doc in documented.items():
        assert ARGUMENT_SPEC[name]["type"] == doc["type"], name
        assert ARGUMENT_SPEC[name].get("default") == doc.get("default"), name
