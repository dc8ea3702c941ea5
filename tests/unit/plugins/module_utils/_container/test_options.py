# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option table (_container/options.py) against what documents the same options: the container module's
DOCUMENTATION, the workloads role's meta/argument_specs.yml and the workloads module's prose."""
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.containerd.runtime.plugins.module_utils._container import options
from ansible_collections.containerd.runtime.plugins.modules import container as container_module
from ansible_collections.containerd.runtime.plugins.modules import workloads as workloads_module

ROOT = Path(__file__).resolve().parents[5]
ROLE_SPEC = ROOT / "roles" / "workloads" / "meta" / "argument_specs.yml"
COMPARED = ("type", "default", "choices", "elements", "required", "mutually_exclusive", "required_one_of")


def comparable(spec):
    """name -> what a declaration says about the option (COMPARED, and its suboptions the same way: ``options``
    in argument specs, ``suboptions`` in DOCUMENTATION)."""
    out = {}
    for name, option in spec.items():
        seen = dict((key, option.get(key)) for key in COMPARED)
        seen["required"] = bool(seen["required"])
        suboptions = option.get("options") or option.get("suboptions")
        seen["options"] = comparable(suboptions) if suboptions else None
        out[name] = seen
    return out


def mismatches(table, declared, where):
    """What differs between the table and a declaration: options only one has, and per option each key."""
    errors = []
    for name in sorted(set(table) - set(declared)):
        errors.append("%s lacks option %s" % (where, name))
    for name in sorted(set(declared) - set(table)):
        errors.append("the option table lacks %s's option %s" % (where, name))
    for name in sorted(set(table) & set(declared)):
        for key in COMPARED:
            if table[name][key] != declared[name][key]:
                errors.append("%s: %s is %r in the table, %r in %s" % (name, key, table[name][key],
                                                                       declared[name][key], where))
        if table[name]["options"] or declared[name]["options"]:
            errors += mismatches(table[name]["options"] or {}, declared[name]["options"] or {},
                                 "%s (suboptions of %s)" % (where, name))
    return errors


def container_documentation():
    return comparable(yaml.safe_load(container_module.DOCUMENTATION)["options"])


def role_entry_options():
    spec = yaml.safe_load(ROLE_SPEC.read_text())["argument_specs"]["main"]["options"]
    return comparable(spec["containerd_workloads"]["options"])


def test_the_container_module_documents_the_options_of_the_table_as_the_table_declares_them():
    assert mismatches(comparable(options.container_spec()), container_documentation(),
                      "the container module's DOCUMENTATION") == []


def test_the_workloads_role_declares_the_entry_keys_of_the_table_as_the_table_declares_them():
    assert mismatches(comparable(options.entry_spec()), role_entry_options(), ROLE_SPEC.name) == []


def test_an_option_that_only_the_table_or_only_a_declaration_has_is_reported():
    table = comparable(options.container_spec())
    declared = container_documentation()
    declared["colour"] = dict(table["name"])
    del declared["tty"]
    assert mismatches(table, declared, "docs") == ["docs lacks option tty", "the option table lacks docs's option colour"]


def test_a_suboption_default_that_differs_is_reported():
    table = comparable(options.entry_spec())
    declared = role_entry_options()
    declared["mounts"]["options"]["read_only"]["default"] = True
    assert mismatches(table, declared, "role") == [
        "read_only: default is False in the table, True in role (suboptions of mounts)"]


def entry_keys(spec):
    for name, option in spec.items():
        yield name
        yield from entry_keys(option.get("options") or {})


@pytest.mark.parametrize("key", sorted(set(entry_keys(options.entry_spec()))))
def test_the_workloads_documentation_names_every_entry_key(key):
    prose = " ".join(yaml.safe_load(workloads_module.DOCUMENTATION)["options"]["workloads"]["description"])
    assert re.search(r"C\(%s\)" % re.escape(key), prose), key


def test_the_container_parameters_of_an_entry_carry_the_container_defaults_of_what_entries_cannot_set():
    params = options.container_params({"name": "web", "namespace": "apps", "state": "stopped", "image": "i"},
                                      {"address": "/a.sock", "ctr_path": None, "timeout": 30})
    assert (params["state"], params["pull"], params["runtime"], params["stop_timeout"], params["tty"]) == \
        ("present", "missing", "io.containerd.runc.v2", 10, False)
    assert set(params) == set(options.container_spec()) | {"namespace", "address", "ctr_path", "timeout",
                                                           "cni_conf_dir", "cni_bin_dir", "cni_cache_dir"}
