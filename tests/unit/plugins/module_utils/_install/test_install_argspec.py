# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_install's argument spec is declared once: the module validates with it and its action plugin
reads the defaults of the options it looks at from it."""
import yaml

from ansible_collections.containerd.runtime.plugins.action import containerd_install as action
from ansible_collections.containerd.runtime.plugins.module_utils._install import argspec
from ansible_collections.containerd.runtime.plugins.modules import containerd_install as module


def test_the_module_validates_with_the_shared_spec():
    assert module.ARGUMENT_SPEC is argspec.ARGUMENT_SPEC and module.MUTUALLY_EXCLUSIVE is argspec.MUTUALLY_EXCLUSIVE


def test_the_action_plugin_reads_options_through_the_shared_spec():
    assert action.option is argspec.option


def test_an_option_not_given_or_given_as_null_is_its_default():
    assert argspec.option({}, "download_on") == "controller"
    assert argspec.option({"timeout": None}, "timeout") == 60
    assert argspec.option({"retries": 0}, "retries") == 0
    assert argspec.option({"validate_certs": False}, "validate_certs") is False


def test_the_spec_declares_the_documented_options_with_their_types_and_defaults():
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(argspec.ARGUMENT_SPEC)
    for name, doc in documented.items():
        assert argspec.ARGUMENT_SPEC[name]["type"] == doc["type"], name
        assert argspec.ARGUMENT_SPEC[name].get("default") == doc.get("default"), name
        assert argspec.ARGUMENT_SPEC[name].get("choices") == doc.get("choices"), name
