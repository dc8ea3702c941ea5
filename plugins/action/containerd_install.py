# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of ``containerd_install``: ask the host what it needs, download once into a cache, copy.

The module runs first without a release file: when the host is up to date (or in check mode, or for
``state: absent``) that is the whole task. Otherwise the release file is downloaded with httpx into the
controller's cache (one download per controller: a lock file serialises the forks), verified against its
checksum, copied to the host's temporary directory, and the module runs again with ``archive`` set.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from ansible.errors import AnsibleError
from ansible.module_utils.common.validation import check_type_dict
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.containerd.runtime.plugins.module_utils._install import converge, release
from ansible_collections.containerd.runtime.plugins.module_utils._install.argspec import option
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError, ReleaseError
from ansible_collections.containerd.runtime.plugins.module_utils._common.files import atomic_file
try:
    import httpx
except ImportError:  # pragma: no cover - reported when a download is needed
    httpx = None

display = Display()

MODULE = "containerd.runtime.containerd_install"
DEFAULT_CACHE = "~/.cache/containerd.runtime"
CHUNK = 1024 * 1024


@contextmanager
def locked(path):
    """An exclusive lock on ``path``.lock, so that parallel forks download a file once."""
    with open(path + ".lock", "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def digest_of(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def is_local(url):
    return url.startswith("/") or url.startswith("file://")


def local_path(url):
    return url[len("file://"):] if url.startswith("file://") else url


class Interrupted(Exception):
    """A download that ended before Content-Length bytes arrived (retried)."""


class ReleaseCache(object):
    """Release files under ``<cache>/<host[_port]>/<url path>``, downloaded with retries and time-outs."""

    def __init__(self, directory, timeout=60, retries=3, validate_certs=True, headers=None):
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self.timeout = timeout
        self.retries = retries
        self.validate_certs = validate_certs
        self.headers = dict(headers or {})  # credentials and url_headers: for the download's origin only
        self.downloads = 0

    def path_for(self, url):
        parts = urlsplit(url)
        host = (parts.hostname or "local") + ("_%d" % parts.port if parts.port else "")
        segments = [segment for segment in parts.path.split("/") if segment not in ("", ".", "..")]
        if not segments:
            raise ReleaseError("cannot tell a file name from %s" % url)
        return os.path.join(self.directory, host, *segments)

    def download(self, url, target):
        """Download ``url`` to ``target`` (through a partial file); retried on failures that may pass."""
        if httpx is None:
            raise ReleaseError("the controller needs the Python package httpx to download %s "
                               "(pip install httpx), or use download_on: host" % url)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        attempts = self.retries + 1
        last = None
        with httpx.Client(timeout=httpx.Timeout(self.timeout), follow_redirects=False,
                          verify=self.validate_certs) as client:
            for attempt in range(attempts):
                if attempt:
                    time.sleep(min(2 ** (attempt - 1), 10))
                try:
                    with self._stream(client, url) as response:
                        if response.status_code == 404:
                            raise ReleaseError("%s does not exist (HTTP 404): is the version right?" % url)
                        if response.status_code >= 400:
                            last = "HTTP %d %s" % (response.status_code, response.reason_phrase)
                            if response.status_code < 500 and response.status_code not in (408, 429):
                                break
                            continue
                        expected = response.headers.get("content-length")
                        # a partial file beside the target, renamed only when the whole file arrived
                        with atomic_file(target, mode=0o644, prefix="%s.part-" % os.path.basename(target)) as out:
                            size = 0
                            for block in response.iter_bytes(CHUNK):
                                out.write(block)
                                size += len(block)
                            if expected is not None and expected.isdigit() and int(expected) != size:
                                raise Interrupted("transfer interrupted after %d of %s bytes" % (size, expected))
                    self.downloads += 1
                    return
                except Interrupted as error:
                    last = str(error)
                except httpx.ConnectError as error:
                    last = "cannot connect to %s (%s): is the server up?" % (urlsplit(url).netloc, error)
                except httpx.TimeoutException as error:
                    last = "no answer within %ss (%s)" % (self.timeout, type(error).__name__)
                except (httpx.RemoteProtocolError, httpx.ReadError) as error:
                    last = "transfer interrupted (%s)" % error
                except httpx.HTTPError as error:
                    last = "%s: %s" % (type(error).__name__, error)
                except OSError as error:
                    raise ReleaseError("writing %s into the controller's cache failed: %s"
                                       % (url, error.strerror or error))
        raise ReleaseError("downloading %s failed after %d attempt(s): %s" % (url, attempt + 1, last))

    @contextmanager
    def _stream(self, client, url):
        """``client.stream("GET", url)`` with redirects followed here: the private headers go to ``url``'s
        origin only (httpx itself would keep every header but Authorization on a hop to another origin)."""
        headers = dict(self.headers)
        for _hop in range(release.MAX_REDIRECTS + 1):
            with client.stream("GET", url, headers=headers) as response:
                location = response.headers.get("location")
                if response.status_code not in release.REDIRECT_CODES or not location:
                    yield response
                    return
            url, headers = release.redirected(url, location, headers)
        raise ReleaseError("downloading %s: more than %d redirects" % (url, release.MAX_REDIRECTS))

    def obtain(self, url):
        """Local path of ``url``: the file itself for a local path, else the cached copy; (path, downloaded)."""
        if is_local(url):
            path = local_path(url)
            if not os.path.isfile(path):
                raise ReleaseError("%s does not exist on the controller" % path)
            return path, False
        target = self.path_for(url)
        if os.path.isfile(target):
            return target, False
        self.download(url, target)
        return target, True

    def verified(self, key, url, pinned):
        """Path of the release file at ``url``, verified; returns (path, sha256, downloaded, checksum source)."""
        if is_local(url):
            return self._verify(key, url, pinned)
        target = self.path_for(url)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with locked(target):
            return self._verify(key, url, pinned)

    def _verify(self, key, url, pinned):
        name = release.file_name(url)
        sums_source = None
        if pinned is None:
            sums_source = release.checksum_url(key, url)
            sums_path, _fresh = self.obtain(sums_source)
            with open(sums_path, "rb") as handle:
                text = handle.read(CHUNK).decode("utf-8", "replace")
            try:
                pinned = release.parse_checksum_file(text, name)
            except ReleaseError as error:
                raise ReleaseError("%s: %s" % (sums_source, error))
        path, downloaded = self.obtain(url)
        digest = digest_of(path, pinned[0])
        if digest != pinned[1]:
            if not is_local(url):
                os.unlink(path)  # never keep a bad file in the cache
            raise ReleaseError("checksum mismatch for %s: expected %s:%s, got %s:%s; nothing was installed"
                               % (url, pinned[0], pinned[1], pinned[0], digest))
        sha256 = digest if pinned[0] == "sha256" else digest_of(path, "sha256")
        return path, sha256, downloaded, sums_source


def without_url_credentials(args):
    """The task's arguments with the credentials of O(url)/O(mirror) moved into url_username/url_password,
    so that neither the module's arguments nor its result (``invocation``, ``url``) carry them."""
    args = dict(args)
    for name in ("url", "mirror"):
        value = args.get(name)
        if not isinstance(value, str):
            continue
        clean, user, password = release.split_userinfo(value)
        if clean == value:
            continue
        args[name] = clean
        if user and not args.get("url_username"):
            args["url_username"] = user
            if password is not None and args.get("url_password") is None:
                args["url_password"] = password
    return args


def download_headers(args):
    """The private headers of the controller's downloads (basic authentication, O(url_headers)), as the module
    builds them on the host."""
    params = dict((name, args.get(name)) for name in ("url", "mirror", "url_username", "url_password", "url_headers"))
    if isinstance(params["url_headers"], str):
        try:
            params["url_headers"] = check_type_dict(params["url_headers"])
        except TypeError:
            raise ReleaseError("url_headers must be a mapping of header names to values")
    return converge.request_headers(params)


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = without_url_credentials(self._task.args)
        try:
            if option(args, "state") == "absent" or option(args, "download_on") != "controller" or args.get("archive"):
                result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
                return result
            probe = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
            if probe.get("failed") or not probe.pop("needs_archive", False):
                result.update(probe)
                return result
            result.update(self._install(args, probe, task_vars))
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _install(self, args, probe, task_vars):
        """Download (or reuse) the release file on the controller, copy it to the host, run the module."""
        url = probe["url"]
        failure = dict(failed=True, changed=False, previous_version=probe.get("previous_version"), url=url,
                       downloaded=False, copied=False, cache_path=None)
        try:
            key = release.component_key(args["name"], args.get("bundle"))
            pinned = release.parse_pinned(args.get("checksum"))
            validate_certs = boolean(option(args, "validate_certs"), strict=False)
            release.refuse_unverified(url, validate_certs, pinned,
                                      boolean(option(args, "allow_unverified"), strict=False))
            cache = ReleaseCache(
                args.get("cache_dir") or os.environ.get("CONTAINERD_RUNTIME_CACHE") or DEFAULT_CACHE,
                timeout=int(option(args, "timeout")), retries=int(option(args, "retries")),
                validate_certs=validate_certs, headers=download_headers(args))
            path, sha256, downloaded, sums_source = cache.verified(key, url, pinned)
        except CollectionError as error:
            return dict(failure, msg=str(error))
        except (IOError, OSError) as error:
            return dict(failure, msg="the controller's download cache failed: %s" % (error.strerror or error))
        if sums_source:
            display.warning("the checksum of %s comes from %s, the same origin as the file; pin it with checksum: "
                            "sha256:%s" % (release.file_name(url), sums_source, sha256))
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        remote = self._connection._shell.join_path(self._connection._shell.tmpdir, release.file_name(url))
        try:
            self._transfer_file(path, remote)
        except AnsibleError as error:
            return dict(failure, downloaded=downloaded, msg="copying %s to the host failed: %s" % (path, error))
        self._fixup_perms2((self._connection._shell.tmpdir, remote))
        module_args = dict(args, archive=remote, checksum="sha256:" + sha256)
        outcome = self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)
        outcome.update(downloaded=downloaded, copied=True, url=url,
                       cache_path=None if is_local(url) else path)
        # what the first run did before it asked for the file (healing an interrupted install) stays reported
        healed = [action for action in probe.get("actions", []) if action not in outcome.get("actions", [])]
        if healed:
            outcome["actions"] = healed + list(outcome.get("actions", []))
            outcome["changed"] = True
        first = list(probe.get("warnings", []))
        warnings = first + [warning for warning in outcome.get("warnings", []) if warning not in first]
        if warnings:
            outcome["warnings"] = warnings
        return outcome
