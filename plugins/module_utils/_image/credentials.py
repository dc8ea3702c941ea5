# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry credentials for ctr without putting them on its argv.

``ctr --user user:password`` shows the password to every local user (``ps``, ``/proc/PID/cmdline``) for the
whole pull or push, and ctr reads a password from nowhere else but a terminal. So a pull or push with
credentials gets ``--hosts-dir <private dir>``: a 0700 temporary directory whose hosts.toml for the image's
registry is the user's own (from ``hosts_dir``, relative CA and client paths made absolute) with an
``Authorization`` header added to the server and to every mirror. The header is ``Basic`` — or, when the
registry answers with a bearer challenge, a token the token service gave for these credentials and the
operation's scope. containerd's authorizer replaces the header only after a 401, as it would have done with
``--user``. The directory is removed when the operation ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference as reference_mod
from ansible_collections.containerd.runtime.plugins.module_utils._image.registry import (
    RegistryClient,
    basic_authorization,
    host_directories,
    load_toml,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError, RegistryError


def user_hosts_config(hosts_dir, domain):
    """The user's hosts.toml for ``domain`` as data with absolute CA/client paths, or {} when there is none."""
    if not hosts_dir or not os.path.isdir(hosts_dir):
        return {}
    for directory in host_directories(hosts_dir, domain):
        path = os.path.join(directory, "hosts.toml")
        if os.path.isfile(path):
            try:
                return _absolute(load_toml(path), directory)
            except (ValueError, OSError, UnicodeDecodeError) as exc:
                raise RegistryError("cannot read %s: %s" % (path, exc))
    return {}


def _absolute(config, base):
    def fix(value):
        if isinstance(value, str):
            return value if os.path.isabs(value) else os.path.join(base, value)
        if isinstance(value, list):
            return [fix(item) for item in value]
        return value

    def settings(table):
        table = dict(table)
        for key in ("ca", "client"):
            if key in table:
                table[key] = fix(table[key])
        return table
    result = settings(config)
    if isinstance(config.get("host"), dict):
        result["host"] = dict((url, settings(value) if isinstance(value, dict) else value)
                              for url, value in config["host"].items())
    return result


def with_authorization(config, server_authorization, mirror_authorization):
    """``config`` (hosts.toml data) with an Authorization header on the server and on every mirror (the
    server's own value on a host entry at the server's address)."""
    config = dict(config)
    config["header"] = dict(config.get("header") or {}, Authorization=server_authorization)
    hosts = config.get("host") if isinstance(config.get("host"), dict) else {}
    # always a host table, if empty: containerd 1.6 rejects a hosts.toml without one ("invalid `host` tree")
    server = _netloc(config.get("server") or "")

    def header(url, value):
        value = dict(value.get("header") or {})
        value["Authorization"] = server_authorization if server and _netloc(url) == server else mirror_authorization
        return value
    config["host"] = dict((url, dict(value, header=header(url, value)) if isinstance(value, dict) else value)
                          for url, value in hosts.items())
    return config


def _netloc(url):
    return (url.split("://", 1)[1] if "://" in url else url).split("/", 1)[0].lower()


# ---- a TOML writer for hosts.toml data (strings, booleans, integers, arrays, tables) ---------------------

def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[%s]" % ", ".join(_toml_value(item) for item in value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def _toml_key(key):
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _toml_value(key)


def to_toml(data, prefix=()):
    lines = []
    tables = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append("%s = %s" % (_toml_key(key), _toml_value(value)))
    for key, value in tables:
        name = prefix + (_toml_key(key),)
        lines.append("")
        lines.append("[%s]" % ".".join(name))
        lines.append(to_toml(value, name))
    return "\n".join(line for line in lines if line is not None) + ("\n" if not prefix else "")


# ---- the private hosts dir -----------------------------------------------------------------------------

def authorization(options, ref, actions):
    """The Authorization value for ``ref``'s registry: a bearer token when the registry asks for one (fetched
    with the credentials for ``actions``), else Basic. Any trouble asking gives Basic: ctr reports the failure."""
    basic = basic_authorization(options.username, options.password)
    client = RegistryClient(options.username, options.password, plain_http=options.plain_http,
                            skip_verify=options.skip_verify, hosts_dir=options.hosts_dir, timeout=30)
    try:
        return client.authorization(ref, actions) or basic
    except (CollectionError, ValueError, OSError):
        return basic


@contextlib.contextmanager
def private_hosts_dir(options, ref, actions="pull"):
    """Yield the hosts dir ctr gets for an operation on ``ref``: ``options.hosts_dir`` without credentials,
    else a 0700 temporary copy of the registry's hosts.toml with the Authorization header (removed after)."""
    if not options.username:
        yield options.hosts_dir
        return
    if not isinstance(ref, reference_mod.Reference):
        ref = reference_mod.parse(str(ref))
    config = user_hosts_config(options.hosts_dir, ref.domain)
    config = with_authorization(config, authorization(options, ref, actions),
                                basic_authorization(options.username, options.password))
    directory = tempfile.mkdtemp(prefix="containerd-runtime-auth-")  # mode 0700
    try:
        os.mkdir(os.path.join(directory, ref.domain), 0o700)
        path = os.path.join(directory, ref.domain, "hosts.toml")
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write(to_toml(config))
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
