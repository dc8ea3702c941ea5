# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A module's registry options -> what ctr is given (``RegistryOptions``) and the digest look-up client.

The one place that reads ``plain_http``, ``skip_verify``, ``hosts_dir`` (default ``/etc/containerd/certs.d``
when that directory exists), ``username`` and ``password`` from module parameters; options a module does
not have count as unset. Used by the image module and by the workloads batch.
"""

from __future__ import annotations

import os

from ansible_collections.containerd.runtime.plugins.module_utils._ctr.images import RegistryOptions
from ansible_collections.containerd.runtime.plugins.module_utils._image.registry import (
    DEFAULT_HOSTS_DIR,
    RegistryClient,
)


def registry_options(params):
    """The RegistryOptions of ``params`` (a dict of module parameters; read, never changed)."""
    hosts_dir = params.get("hosts_dir")
    if hosts_dir is None and os.path.isdir(DEFAULT_HOSTS_DIR):
        hosts_dir = DEFAULT_HOSTS_DIR
    return RegistryOptions(plain_http=params.get("plain_http", False), skip_verify=params.get("skip_verify", False),
                           hosts_dir=hosts_dir, username=params.get("username"), password=params.get("password"))


def registry_client(options, timeout, opener=None):
    """A RegistryClient that reaches registries the way ctr does with ``options`` (a RegistryOptions)."""
    return RegistryClient(username=options.username, password=options.password, plain_http=options.plain_http,
                          skip_verify=options.skip_verify, hosts_dir=options.hosts_dir, timeout=timeout,
                          opener=opener)
