# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd's config.toml as data: schema detection, where each setting lives, deep merge, hosts.toml.

Pure functions on dicts (no TOML parsing or writing here, so that the module side needs no TOML
library): the ``containerd_config`` action parses ``containerd config default`` of the installed binary,
calls :func:`build_config` and writes the result with tomli-w.

Schema versions:

* ``2`` -- containerd 1.x (1.5, 1.6, 1.7): the CRI plugin is one plugin, ``io.containerd.grpc.v1.cri``.
* ``3`` -- containerd 2.x: CRI is split into ``io.containerd.cri.v1.images`` (images, registry, sandbox
  image) and ``io.containerd.cri.v1.runtime`` (runtimes, CNI), and the sandbox image moved to
  ``pinned_images.sandbox``.
* ``4`` -- containerd 2.3+: as 3 for CRI, but the server settings moved from the top-level ``grpc``,
  ``ttrpc``, ``debug`` (address) and ``metrics`` tables to the server plugins ``io.containerd.server.v1.*``.
  containerd migrates those tables only in files of version 3 and older, so in a version-4 file they are
  ignored; and the ttrpc address is the ttrpc plugin's own (no longer the grpc address + ``.ttrpc``).
"""

from __future__ import annotations

import base64
import copy
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConfig

CRI_V2 = "io.containerd.grpc.v1.cri"
CRI_IMAGES_V3 = "io.containerd.cri.v1.images"
CRI_RUNTIME_V3 = "io.containerd.cri.v1.runtime"
TRANSFER = "io.containerd.transfer.v1.local"
SERVER_GRPC = "io.containerd.server.v1.grpc"
SERVER_TTRPC = "io.containerd.server.v1.ttrpc"
SERVER_METRICS = "io.containerd.server.v1.metrics"
RUNC_TYPE = "io.containerd.runc.v2"

# setting -> key paths (tuples) per schema version; a path whose parent table is missing from the
# version's defaults is skipped only where marked optional (see OPTIONAL)
SCHEMAS = {
    2: {
        "root": [("root",)],
        "state": [("state",)],
        "grpc_address": [("grpc", "address")],
        "grpc_uid": [("grpc", "uid")],
        "grpc_gid": [("grpc", "gid")],
        "debug_level": [("debug", "level")],
        "metrics_address": [("metrics", "address")],
        "snapshotter": [("plugins", CRI_V2, "containerd", "snapshotter")],
        "sandbox_image": [("plugins", CRI_V2, "sandbox_image")],
        "registry_config_path": [("plugins", CRI_V2, "registry", "config_path"),
                                 ("plugins", TRANSFER, "config_path")],
        "cni_conf_dir": [("plugins", CRI_V2, "cni", "conf_dir")],
        "cni_bin_dir": [("plugins", CRI_V2, "cni", "bin_dir")],
    },
    3: {
        "root": [("root",)],
        "state": [("state",)],
        "grpc_address": [("grpc", "address")],
        "grpc_uid": [("grpc", "uid")],
        "grpc_gid": [("grpc", "gid")],
        "debug_level": [("debug", "level")],
        "metrics_address": [("metrics", "address")],
        "snapshotter": [("plugins", CRI_IMAGES_V3, "snapshotter")],
        "sandbox_image": [("plugins", CRI_IMAGES_V3, "pinned_images", "sandbox")],
        "registry_config_path": [("plugins", CRI_IMAGES_V3, "registry", "config_path"),
                                 ("plugins", TRANSFER, "config_path")],
        "cni_conf_dir": [("plugins", CRI_RUNTIME_V3, "cni", "conf_dir")],
        "cni_bin_dir": [("plugins", CRI_RUNTIME_V3, "cni", "bin_dirs"),
                        ("plugins", CRI_RUNTIME_V3, "cni", "bin_dir")],
    },
}
# version 4 (containerd 2.3+) keeps version 3's places but for the server settings, which moved from the
# top-level tables into the io.containerd.server.v1.* plugins
SCHEMAS[4] = dict(SCHEMAS[3], grpc_address=[("plugins", SERVER_GRPC, "address")],
                  grpc_uid=[("plugins", SERVER_GRPC, "uid")], grpc_gid=[("plugins", SERVER_GRPC, "gid")],
                  metrics_address=[("plugins", SERVER_METRICS, "address")])
# version 4 no longer derives the ttrpc socket from the grpc one: a moved grpc socket takes the ttrpc
# socket along (<grpc address>.ttrpc, where versions 2 and 3 put it), unless the overrides set it
TTRPC_FROM_GRPC = {4: ("plugins", SERVER_TTRPC, "address")}
# top-level tables a version-4 file must not carry (containerd ignores them there) -> where they go
IGNORED_V4 = {
    "grpc": "plugins.'%s' (and 'io.containerd.server.v1.grpc-tcp' for tcp_*)" % SERVER_GRPC,
    "ttrpc": "plugins.'%s'" % SERVER_TTRPC,
    "metrics": "plugins.'%s' (grpc_histogram: 'io.containerd.metrics.v1.grpc-prometheus')" % SERVER_METRICS,
}
IGNORED_V4_DEBUG = ("address", "uid", "gid")  # debug.level and debug.format stay; these go to server.v1.debug
# keys a release removed: an override setting one where the version's defaults lack it is dropped with
# a warning (containerd would ignore it with a log line only)
REMOVED = {
    ("plugins", CRI_RUNTIME_V3, "enable_cdi"): "containerd 2.4 removed it: CDI is always on",
    ("plugins", CRI_RUNTIME_V3, "cni", "bin_dir"): "containerd 2.4 removed it: set bin_dirs (containerd_cni_bin_dir does)",
}
# paths set only when the installed version's defaults have them (the transfer service came in 1.7;
# 2.0 has cni.bin_dir, 2.1 cni.bin_dirs)
OPTIONAL = {
    ("plugins", TRANSFER, "config_path"),
    ("plugins", CRI_RUNTIME_V3, "cni", "bin_dirs"),
    ("plugins", CRI_RUNTIME_V3, "cni", "bin_dir"),
}
RUNTIMES = {
    2: ("plugins", CRI_V2, "containerd", "runtimes"),
    3: ("plugins", CRI_RUNTIME_V3, "containerd", "runtimes"),
    4: ("plugins", CRI_RUNTIME_V3, "containerd", "runtimes"),
}
SETTINGS = tuple(sorted(set(SCHEMAS[2]) | {"systemd_cgroup", "runtimes"}))


def schema_version(default):
    """The schema version of a parsed ``containerd config default``; InvalidConfig if unknown."""
    version = default.get("version") if isinstance(default, dict) else None
    if version is None:
        raise InvalidConfig(
            "containerd config default has no 'version' key: containerd before 1.3 (config version 1) "
            "is not supported; this role knows config versions %s" % ", ".join(str(v) for v in sorted(SCHEMAS)))
    if version not in SCHEMAS:
        raise InvalidConfig(
            "containerd reports config version %r, which this role does not know (it knows %s: version 2 "
            "for containerd 1.x, version 3 for 2.0-2.2, version 4 for 2.3+); set the keys with containerd_config_overrides and "
            "report it" % (version, ", ".join(str(v) for v in sorted(SCHEMAS))))
    return version


def deep_merge(base, override):
    """A new dict: tables merge key by key, anything else in ``override`` replaces; ``None`` deletes."""
    merged = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(_drop_none(value))
    return merged


def _drop_none(value):
    if isinstance(value, dict):
        return dict((k, _drop_none(v)) for k, v in value.items() if v is not None)
    return value


def get_path(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def has_path(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def nested(path, value):
    """{'a': {'b': value}} for path ('a', 'b')."""
    for key in reversed(path):
        value = {key: value}
    return value


def setting_paths(version, name, default):
    """Where setting ``name`` goes in schema ``version``, given that version's defaults."""
    paths = []
    for path in SCHEMAS[version][name]:
        if path in OPTIONAL and not has_path(default, path):
            continue
        paths.append(path)
    if name == "cni_bin_dir":
        paths = paths[:1]  # bin_dirs (2.1+) replaces bin_dir (2.0): set the one this version has
    return paths


def settings_document(default, settings, version=None):
    """The role's high-level settings as a partial config for the schema of ``default``.

    ``settings`` maps names of :data:`SETTINGS` to values; ``None`` (or a missing key) leaves
    containerd's default. ``version``: write that schema instead of the defaults' own (a drop-in for a
    config.toml of an older version: containerd refuses drop-ins of a higher version than the root file).
    """
    version = version or schema_version(default)
    settings = dict((k, v) for k, v in (settings or {}).items() if v is not None)
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise InvalidConfig("unknown settings: %s (known: %s)" % (", ".join(unknown), ", ".join(SETTINGS)))
    document = {}
    for name, value in sorted(settings.items()):
        if name in ("systemd_cgroup", "runtimes"):
            continue
        for path in setting_paths(version, name, default):
            if path[-1] == "bin_dirs" and not isinstance(value, list):
                value = [value]
            elif path[-1] == "bin_dir" and isinstance(value, list):
                value = value[0]
            document = deep_merge(document, nested(path, value))
    ttrpc = TTRPC_FROM_GRPC.get(version)
    if ttrpc and settings.get("grpc_address") and has_path(default, ttrpc):
        document = deep_merge(document, nested(ttrpc, settings["grpc_address"] + ".ttrpc"))
    runtimes_path = RUNTIMES[version]
    runtimes = {}
    if not isinstance(settings.get("runtimes") or {}, dict):
        raise InvalidConfig("settings.runtimes must be a dict of runtime name -> its settings, got %r"
                            % (settings["runtimes"],))
    for name, runtime in sorted((settings.get("runtimes") or {}).items()):
        if not isinstance(runtime, dict):
            raise InvalidConfig("containerd runtime %s must be a dict of its settings, got %r" % (name, runtime))
        runtime = dict(runtime)
        runtime.setdefault("runtime_type", RUNC_TYPE)
        runtimes[name] = runtime
    if "systemd_cgroup" in settings:
        defaults_runtimes = get_path(default, runtimes_path) or {}
        names = set(defaults_runtimes) | set(runtimes)
        for name in sorted(names):
            merged = deep_merge(defaults_runtimes.get(name) or {}, runtimes.get(name) or {})
            if merged.get("runtime_type") != RUNC_TYPE:
                continue
            options = (runtimes.get(name) or {}).get("options") or {}
            if "SystemdCgroup" in options:
                continue  # the runtime's own setting wins
            runtimes.setdefault(name, {})
            runtimes[name] = deep_merge(runtimes[name], {"options": {"SystemdCgroup": bool(settings["systemd_cgroup"])}})
    if runtimes:
        document = deep_merge(document, nested(runtimes_path, runtimes))
    return document


def check_overrides(default, overrides, version=None, warnings=None):
    """``overrides`` without keys this version removed (a warning each, appended to ``warnings``);
    InvalidConfig for tables a version-4 file carries in vain."""
    version = version or schema_version(default)
    if overrides is not None and not isinstance(overrides, dict):
        raise InvalidConfig("containerd_config_overrides must be a dict, got %s" % type(overrides).__name__)
    overrides = copy.deepcopy(overrides or {})
    if version >= 4:
        for table, where in sorted(IGNORED_V4.items()):
            if overrides.get(table):
                raise InvalidConfig(
                    "containerd_config_overrides sets the top-level [%s] table, which containerd ignores in a "
                    "version-4 config (it migrates it only from version 3 and older files): set %s instead"
                    % (table, where))
        debug = overrides.get("debug") or {}
        moved = sorted(key for key in IGNORED_V4_DEBUG if isinstance(debug, dict) and key in debug)
        if moved:
            raise InvalidConfig(
                "containerd_config_overrides sets debug.%s, which containerd ignores in a version-4 config: set "
                "plugins.'io.containerd.server.v1.debug' instead" % ", debug.".join(moved))
    for path, why in sorted(REMOVED.items()):
        if has_path(overrides, path) and has_path(default, path[:-1]) and not has_path(default, path):
            parent = get_path(overrides, path[:-1])
            parent.pop(path[-1])
            if warnings is not None:
                warnings.append("containerd_config_overrides: %s dropped: %s" % (dotted(path), why))
    return overrides


def build_config(default, settings=None, overrides=None, warnings=None):
    """(config, schema version): defaults, then the role's settings, then the free-form overrides."""
    version = schema_version(default)
    overrides = check_overrides(default, overrides, version, warnings)
    config = deep_merge(default, settings_document(default, settings))
    config = deep_merge(config, overrides)
    if config.get("version") != version:
        raise InvalidConfig("containerd_config_overrides must not change the config version (%s)" % version)
    return config, version


def dotted(path):
    """A key path as TOML writes it: ``plugins."io.containerd.grpc.v1.cri".sandbox_image``."""
    return ".".join('"%s"' % key if "." in key else key for key in path)


def describe_paths(default):
    """{setting: 'dotted.key.path'} of this schema (for results and documentation)."""
    version = schema_version(default)
    described = {}
    for name in SCHEMAS[version]:
        described[name] = [dotted(path) for path in setting_paths(version, name, default)]
    if version in TTRPC_FROM_GRPC and has_path(default, TTRPC_FROM_GRPC[version]):
        described["grpc_address"].append(dotted(TTRPC_FROM_GRPC[version]) + " (<grpc_address>.ttrpc)")
    described["systemd_cgroup"] = [dotted(RUNTIMES[version] + ("<name>", "options", "SystemdCgroup"))]
    described["runtimes"] = [dotted(RUNTIMES[version])]
    return described


# ---- registries: hosts.toml as data ---------------------------------------------------------------

REGISTRY_KEYS = {"name", "server", "capabilities", "skip_verify", "ca", "client_cert", "client_key", "client",
                 "headers", "username", "password", "token", "override_path", "mirrors"}
HOST_KEYS = REGISTRY_KEYS - {"name", "server", "mirrors"} | {"url"}
CAPABILITIES = {"pull", "resolve", "push"}


def authorization(entry):
    """The Authorization header value for an entry's credentials, or None."""
    if entry.get("token"):
        return "Bearer %s" % entry["token"]
    if entry.get("username") is not None or entry.get("password") is not None:
        if entry.get("username") is None or entry.get("password") is None:
            raise InvalidConfig("registry %s: username and password go together" % entry.get("name", entry.get("url")))
        raw = ("%s:%s" % (entry["username"], entry["password"])).encode("utf-8")
        return "Basic %s" % base64.b64encode(raw).decode("ascii")
    return None


def has_credentials(entry):
    """Whether an entry (or one of its mirrors) carries credentials or an Authorization header."""
    def one(item):
        if not isinstance(item, dict):
            return False
        if not isinstance(item.get("headers") or {}, dict):
            return True  # malformed (registry_hosts says so): treated as secret, never logged
        headers = dict((str(k).lower(), v) for k, v in (item.get("headers") or {}).items())
        return bool(item.get("token") or item.get("username") is not None or item.get("password") is not None
                    or "authorization" in headers)
    if not isinstance(entry, dict):
        return False
    return one(entry) or any(one(mirror) for mirror in entry.get("mirrors") or [])


def _host_fields(item, where):
    fields = {}
    capabilities = item.get("capabilities")
    if capabilities is not None and (not isinstance(capabilities, list)
                                     or not all(isinstance(one, str) for one in capabilities)):
        raise InvalidConfig("%s: capabilities must be a list of pull, resolve, push, got %r" % (where, capabilities))
    if not isinstance(item.get("headers") or {}, dict):
        raise InvalidConfig("%s: headers must be a dict of header name -> value, got %r"
                            % (where, type(item["headers"]).__name__))
    if capabilities is not None:
        bad = sorted(set(capabilities) - CAPABILITIES)
        if bad:
            raise InvalidConfig("%s: unknown capabilities %s (known: pull, resolve, push)" % (where, ", ".join(bad)))
        fields["capabilities"] = list(capabilities)
    if item.get("skip_verify") is not None:
        fields["skip_verify"] = bool(item["skip_verify"])
    if item.get("ca"):
        fields["ca"] = item["ca"] if isinstance(item["ca"], list) else str(item["ca"])
    if item.get("client_cert") or item.get("client_key"):
        if not item.get("client_cert"):
            raise InvalidConfig("%s: client_key needs client_cert" % where)
        fields["client"] = [[item["client_cert"], item["client_key"]]] if item.get("client_key") else item["client_cert"]
    elif item.get("client"):
        fields["client"] = item["client"]
    if item.get("override_path") is not None:
        fields["override_path"] = bool(item["override_path"])
    headers = dict((str(k), v if isinstance(v, list) else str(v)) for k, v in (item.get("headers") or {}).items())
    auth = authorization(item)
    if auth:
        headers["Authorization"] = auth
    if headers:
        fields["header"] = headers
    return fields


def registry_hosts(entry):
    """hosts.toml of one ``containerd_registries`` entry, as a dict for tomli-w.

    ``entry``: ``name`` (the registry host as images name it, e.g. ``docker.io``, ``registry:5000``, or
    ``_default``), optional ``server`` (the upstream; default: none written, containerd uses the name),
    the upstream's own ``capabilities``/``skip_verify``/``ca``/``client_cert``/``client_key``/
    ``headers``/``username``/``password``/``token``, and ``mirrors`` (list of dicts with ``url`` and the
    same keys), tried in order before the server.
    """
    if not isinstance(entry, dict):
        raise InvalidConfig("a containerd_registries entry must be a dict, got %r" % (entry,))
    name = entry.get("name")
    if not name or "/" in str(name) or str(name) in (".", ".."):
        raise InvalidConfig("a containerd_registries entry needs a name (a registry host such as docker.io), got %r"
                            % (name,))
    unknown = sorted(set(entry) - REGISTRY_KEYS)
    if unknown:
        raise InvalidConfig("registry %s: unknown keys %s" % (name, ", ".join(unknown)))
    document = {}
    if entry.get("server"):
        document["server"] = str(entry["server"])
    document.update(_host_fields(entry, "registry %s" % name))
    hosts = {}
    for mirror in entry.get("mirrors") or []:
        if isinstance(mirror, str):
            mirror = {"url": mirror}
        if not isinstance(mirror, dict) or not mirror.get("url"):
            raise InvalidConfig("registry %s: each mirror needs a url" % name)
        unknown = sorted(set(mirror) - HOST_KEYS)
        if unknown:
            raise InvalidConfig("registry %s, mirror %s: unknown keys %s" % (name, mirror["url"], ", ".join(unknown)))
        fields = _host_fields(mirror, "registry %s, mirror %s" % (name, mirror["url"]))
        fields.setdefault("capabilities", ["pull", "resolve"])
        hosts[str(mirror["url"])] = fields
    if hosts:
        document["host"] = hosts
    return document


# ---- drop-in layout: the role's settings in conf.d/<name>.toml, imported by config.toml -----------------

def dropin_document(default, settings=None, overrides=None, root=None, warnings=None):
    """(drop-in config, its version) for a config.toml ``root`` (parsed; None when absent) written by others.

    containerd refuses a drop-in of a higher version than the root file, so the drop-in takes the root's
    version when that is older (3 under a 4 binary: containerd migrates it; 2 under 2.x is refused). 1.x
    (version 2) replaces a plugin's whole table with the drop-in's, so there the drop-in carries the root's
    table of every plugin it touches, merged with the role's settings (2.x merges key by key).
    """
    binary = schema_version(default)
    version = binary
    if root is not None:
        root_version = root.get("version") if isinstance(root, dict) else None
        if not isinstance(root_version, int) or root_version < 2:
            raise InvalidConfig("config.toml has no config version 2 or later (%r): the dropin layout needs one; "
                                "use containerd_config_layout file" % (root_version,))
        if root_version < binary:
            if root_version < 3 <= binary:
                raise InvalidConfig(
                    "config.toml is config version %s but containerd writes version %s: a drop-in of the CRI "
                    "settings cannot be older than version 3 here; migrate config.toml (containerd config migrate) "
                    "or use containerd_config_layout file" % (root_version, binary))
            version = root_version
    overrides = check_overrides(default, overrides, version, warnings)
    document = deep_merge(settings_document(default, settings, version), overrides)
    if version == 2 and root is not None:
        for plugin, table in sorted((document.get("plugins") or {}).items()):
            kept = (root.get("plugins") or {}).get(plugin)
            if isinstance(kept, dict) and isinstance(table, dict):
                document["plugins"][plugin] = deep_merge(kept, table)
    document = dict(version=version, **dict((k, v) for k, v in document.items() if k != "version"))
    return document, version


def imports_cover(root, config_path, dropin_path):
    """Whether config.toml's ``imports`` (parsed ``root``) already load ``dropin_path``."""
    import fnmatch
    import posixpath
    for entry in (root or {}).get("imports") or []:
        if not isinstance(entry, str):
            continue
        path = posixpath.normpath(entry if entry.startswith("/") else
                                  posixpath.join(posixpath.dirname(config_path), entry))
        if path == dropin_path or ("*" in path and fnmatch.fnmatchcase(dropin_path, path)
                                   and path.count("/") == dropin_path.count("/")):
            return True
    return False


def _toml_string(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def add_import(text, dropin_path):
    """config.toml ``text`` with ``dropin_path`` added to its ``imports`` and nothing else changed.

    An existing top-level ``imports = [`` gets the entry first in its list; without one, a line goes in
    before the first table (top-level keys must precede tables). The caller checks the parsed result.
    """
    lines = text.splitlines(True)
    entry = _toml_string(dropin_path)
    first_table = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("["):
            first_table = index
            break
        if stripped.startswith("imports") and stripped[len("imports"):].lstrip().startswith("="):
            head, _eq, rest = line.partition("=")
            bracket = rest.find("[")
            if bracket < 0:
                raise InvalidConfig("config.toml's imports is not a list: %s" % line.strip())
            after = rest[bracket + 1:]
            empty = after.strip().startswith("]")
            lines[index] = head + "=" + rest[:bracket + 1] + entry + ("" if empty else ", ") + after.lstrip(" ")
            return "".join(lines)
    new_line = "imports = [%s]\n" % entry
    if first_table is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(new_line)
    else:
        lines.insert(first_table, new_line)
    return "".join(lines)


def minimal_root(version, dropin_path):
    """A config.toml for a host without one: only the version and the import of the role's drop-in."""
    return "version = %d\nimports = [%s]\n" % (version, _toml_string(dropin_path))
