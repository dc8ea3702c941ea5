# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge code of the ``containerd_install`` module (the host side; the download on the controller is
the action plugin's).

``resolve(params)`` checks the options and names the target; ``converge(params, target, host, run)`` compares
it with what the manifest and the installed binary say, installs or removes, and returns the module's result
as data. ``params`` is never changed; ``host`` is a ``staging.ModuleHost`` (or a stub); errors are the
typed errors of ``_common/errors.py``.
"""

from __future__ import annotations

import base64
import collections
import os
import platform

from ansible_collections.containerd.runtime.plugins.module_utils._install import release
from ansible_collections.containerd.runtime.plugins.module_utils._install import staging
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidReleaseOptions

Target = collections.namedtuple("Target", "key version arch dirs")


def resolve(params):
    """The component, version, arch (this host's when O(arch) is not set) and directories;
    ReleaseError (InvalidReleaseOptions for the options this module checks itself) on bad input."""
    key = release.component_key(params["name"], params["bundle"])
    version = arch = None
    if params["state"] == "present":
        if not params["version"]:
            raise InvalidReleaseOptions("version is required with state: present")
        version = release.normalize_version(params["version"])
        arch = release.normalize_arch(params["arch"] or platform.machine())
    release.parse_pinned(params["checksum"])
    if params["timeout"] <= 0:
        raise InvalidReleaseOptions("timeout must be a positive number of seconds, got %s" % params["timeout"])
    if params["retries"] < 0:
        raise InvalidReleaseOptions("retries must not be negative, got %s" % params["retries"])
    for option in ("prefix", "dest"):
        if params[option] and not os.path.isabs(params[option]):
            raise InvalidReleaseOptions("%s must be an absolute path, got %s" % (option, params[option]))
    headers = release.check_headers(params.get("url_headers"))
    if credentials(params) and any(name.lower() == "authorization" for name in headers):
        raise InvalidReleaseOptions("url_headers: an Authorization header and url_username (or credentials in the URL) "
                                    "are mutually exclusive")
    return Target(key, version, arch, release.role_dirs(key, params["prefix"], params["dest"]))


def source_url(params, target):
    """The release file's URL, without credentials (``credentials`` has them)."""
    if params["url"]:
        return release.redact(params["url"])
    mirror = release.redact(params["mirror"]) if params["mirror"] else None
    return release.release_url(params["name"], target.version, target.arch, mirror, params["bundle"])


def credentials(params):
    """(username, password) for the download: O(url_username)/O(url_password), else the userinfo of
    O(url) or O(mirror); None without a username."""
    _clean, user, password = release.split_userinfo(params["url"] or params["mirror"])
    user = params.get("url_username") or user
    if params.get("url_password") is not None:
        password = params["url_password"]
    return (user, password) if user else None


def request_headers(params):
    """The private headers of the download requests: basic authentication from ``credentials`` and
    O(url_headers); sent to the download's origin only (``release.redirected``)."""
    headers = release.check_headers(params.get("url_headers"))
    auth = credentials(params)
    if auth:
        token = base64.b64encode(("%s:%s" % (auth[0], auth[1] or "")).encode("utf-8")).decode("ascii")
        headers["Authorization"] = "Basic " + token
    return headers


def actual(host, key, dirs, manifest_path):
    """What is installed: the manifest, the files that differ from it and the version the binary reports."""
    manifest = release.read_manifest(manifest_path)
    role, binary = release.COMPONENTS[key]["binary"]
    ran, running = staging.reported(host, os.path.join(dirs[role], binary))
    drifted = []
    if manifest:
        for entry in manifest["files"]:
            path = entry["path"]
            if not os.path.isfile(path) or staging.sha256(path) != entry["sha256"]:
                drifted.append(path)
    version = manifest["version"] if manifest else (release.normalize_reported(running) if running else None)
    return {"manifest": manifest, "drifted": drifted, "ran": ran, "reported": running, "version": version}


def plan(params, target, current):
    """The action to take: None, install, upgrade, downgrade or reinstall, and why (the verb of the result)."""
    manifest = current["manifest"]
    version = target.version
    if manifest is None:
        return "install", "installed"
    old = manifest["version"]
    if old != version:
        newer = release.version_key(version) > release.version_key(old)
        return ("upgrade", "upgraded") if newer else ("downgrade", "downgraded")
    reasons = []
    if manifest.get("arch") != target.arch:
        reasons.append("arch %s -> %s" % (manifest.get("arch"), target.arch))
    pinned = release.parse_pinned(params["checksum"])
    if pinned and pinned[0] == "sha256" and manifest.get("archive_sha256") != pinned[1]:
        reasons.append("a different release file (checksum)")
    if current["drifted"]:
        reasons.append("changed outside Ansible: %s" % ", ".join(current["drifted"]))
    elif not current["ran"]:
        reasons.append("%s does not run" % release.COMPONENTS[target.key]["binary"][1])
    elif not release.same_version(current["reported"], version):
        reasons.append("the binary reports version %s" % current["reported"])
    if reasons:
        return "reinstall", "reinstalled (%s)" % "; ".join(reasons)
    return None, None


def action_text(action, verb, label, current_version, version):
    if action in ("upgrade", "downgrade"):
        return "%s %s %s -> %s" % (verb, label, current_version, version)
    if action == "install" and current_version:
        return "%s %s %s over %s, which was installed without a manifest" % (verb, label, version, current_version)
    return "%s %s %s" % (verb, label, version)


def converge(params, target, host, run):
    """Install ``target`` (or remove it with state=absent); return the module's result.

    With O(download_on=controller) and no O(archive) an install stops before obtaining anything and returns
    ``needs_archive`` for the action plugin, which downloads the release file and calls again.

    Outside check mode the component's directories are locked for the whole run; an install that an earlier
    run left half done (killed during its renames) is finished or rolled back first, and staging leftovers
    of dead runs are removed.
    """
    if run.check_mode:
        return _converge(params, target, host, run, [])
    with staging.DirLock(target.dirs):
        healed = []
        recovered = staging.recover(release.manifest_path(target.key, target.dirs), target.dirs)
        if recovered:
            host.warn(recovered)
            healed.append(recovered)
        swept = staging.sweep(target.dirs)
        if swept:
            healed.append("removed staging leftovers of an earlier run: %s" % ", ".join(swept))
        return _converge(params, target, host, run, healed)


def _converge(params, target, host, run, healed):
    key, version = target.key, target.version
    manifest_path = release.manifest_path(key, target.dirs)
    current = actual(host, key, target.dirs, manifest_path)
    before_files = [entry["path"] for entry in (current["manifest"] or {}).get("files", [])]
    result = dict(changed=bool(healed), actions=list(healed), previous_version=current["version"],
                  manifest=manifest_path, downloaded=False, copied=False, cache_path=None, removed=[], files=[])
    label = params["name"] if key != "cri" else "containerd (cri bundle)"
    if params["state"] == "absent":
        result["version"] = None
        if current["manifest"]:
            result["changed"] = True
            result["actions"].append("removed %s %s (%d files)" % (label, current["version"], len(before_files)))
            result["removed"] = [path for path in before_files
                                 if os.path.lexists(path) and release.owned_path(path, target.dirs)]
            foreign = [path for path in before_files if not release.owned_path(path, target.dirs)]
            if foreign:
                host.warn("the manifest %s lists files outside the directories of %s, left alone: %s"
                          % (manifest_path, label, ", ".join(foreign)))
            if not run.check_mode:
                for path in result["removed"]:
                    os.unlink(path)
                os.unlink(manifest_path)
        after_version, after_files = None, []
    else:
        result.update(version=version, arch=target.arch, url=source_url(params, target))
        action, verb = plan(params, target, current)
        result["files"] = [dict(entry) for entry in (current["manifest"] or {}).get("files", [])]
        after_files = before_files
        if action:
            result["changed"] = True
            result["actions"].append(action_text(action, verb, label, current["version"], version))
            if run.check_mode:
                pass
            elif params["download_on"] == "controller" and not params["archive"]:
                return dict(result, needs_archive=True)
            else:
                installed = staging.install(host, params, key, version, target.arch, target.dirs, manifest_path,
                                            current, result["url"], request_headers(params))
                result.update(removed=installed["removed"], checksum=installed["checksum"],
                              downloaded=installed["downloaded"],
                              files=[{"path": path, "sha256": digest}
                                     for path, digest in sorted(installed["hashes"].items())])
                after_files = sorted(installed["hashes"])
        after_version = version
    if run.diff:
        result["diff"] = {
            "before": {"version": current["version"], "files": before_files},
            "after": {"version": after_version, "files": after_files},
        }
    return result
