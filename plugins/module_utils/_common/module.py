# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module shares: the connection options and building the client from them."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import (
    CTR_SEARCH_DIRS,
    DEFAULT_ADDRESS,
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT,
    CtrClient,
    ModuleRunner,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import identifier_error
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext

CONNECTION_ARGS = dict(
    address=dict(type="str", default=DEFAULT_ADDRESS, fallback=(env_fallback, ["CONTAINERD_ADDRESS"])),
    namespace=dict(type="str", default=DEFAULT_NAMESPACE, fallback=(env_fallback, ["CONTAINERD_NAMESPACE"])),
    ctr_path=dict(type="path"),
    timeout=dict(type="int", default=DEFAULT_TIMEOUT),
)


def argument_spec(**module_args):
    """The connection options plus the module's own."""
    spec = dict((key, dict(value)) for key, value in CONNECTION_ARGS.items())
    spec.update(module_args)
    return spec


def connection_errors(params):
    """Messages for bad connection options (checked before anything runs)."""
    errors = []
    if params.get("timeout") is not None and params["timeout"] <= 0:
        errors.append("timeout must be a positive number of seconds, got %s" % params["timeout"])
    if not params.get("address"):
        errors.append("address must not be empty")
    if params.get("namespace") is not None:
        message = identifier_error(params["namespace"], "namespace")
        if message:
            errors.append(message)
    return errors


def ctr_path_of(module):
    """The ctr the module uses: O(ctr_path), else the first ctr in PATH or CTR_SEARCH_DIRS (None if none)."""
    return module.params.get("ctr_path") or module.get_bin_path("ctr", opt_dirs=CTR_SEARCH_DIRS)


def client_for(module):
    """A CtrClient for the module's connection options; fails the module on bad options."""
    errors = connection_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    return CtrClient(ctr_path_of(module), address=module.params["address"], namespace=module.params["namespace"],
                     timeout=module.params["timeout"], runner=ModuleRunner(module))


def run_context(module):
    """The module's check and diff mode, as the converge code takes them."""
    return RunContext(check_mode=module.check_mode, diff=module._diff)  # pylint: disable=protected-access


def fail(module, error, **result):
    """fail_json with a typed error's message and the command that failed."""
    result.update(error.details())
    module.fail_json(msg=error.message, **result)
