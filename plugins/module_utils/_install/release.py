# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Upstream releases of containerd and its tools: URLs, checksum files, archive layouts, the install manifest.

Pure functions and data, shared by the ``containerd_install`` module (on the host) and its action plugin
(on the controller); nothing here touches the network or needs a package beyond the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidReleaseOptions, ReleaseError
from ansible_collections.containerd.runtime.plugins.module_utils._common.files import write_atomically

GITHUB = "https://github.com"

# ansible_architecture / platform.machine() -> the arch names of the release file names
MACHINE_ARCH = {
    "x86_64": "amd64", "amd64": "amd64",
    "aarch64": "arm64", "arm64": "arm64",
    "armv7l": "arm", "armv7": "arm", "armhf": "arm", "arm": "arm",
    "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64",
}
ARCHES = ("amd64", "arm64", "arm", "ppc64le", "s390x", "riscv64")
# runc names its 32-bit ARM binary runc.armhf
RUNC_ARCH = {"arm": "armhf"}

# What each component's release looks like upstream.
#   url:       release file, relative to the release origin (GITHUB or a mirror)
#   checksum:  the release's own checksum file: "suffix:" appends to the archive URL, "file:" names a
#              file in the same directory (one line per release file)
#   layout:    "tar" (members picked by ``members``) or "raw" (the file is the binary itself)
#   members:   archive member directory -> install role; "" for the archive's top level
#   required:  file names that must be in the archive
#   binary:    the file whose ``--version`` tells the installed version
COMPONENTS = {
    "containerd": {
        "url": "/containerd/containerd/releases/download/v{version}/containerd-{version}-linux-{arch}.tar.gz",
        "checksum": "suffix:.sha256sum",
        "layout": "tar",
        "members": {"bin": "bin"},
        "required": {"bin": ["containerd", "ctr", "containerd-shim-runc-v2"]},
        "binary": ("bin", "containerd"),
    },
    "cri": {  # the cri-containerd bundle (name: containerd, bundle: cri), a tree laid out from /
        "url": "/containerd/containerd/releases/download/v{version}/cri-containerd-{version}-linux-{arch}.tar.gz",
        "checksum": "suffix:.sha256sum",
        "layout": "tar",
        "members": {"usr/local/bin": "bin", "usr/local/sbin": "sbin", "opt/cni/bin": "cni"},
        # the CNI plugins only when the archive has them: containerd's Makefile (1.6) packs opt/cni into the
        # cri-containerd-cni archive only; the guide's 1.7.20 cri-containerd archive has them
        "required": {"bin": ["containerd", "ctr", "containerd-shim-runc-v2"], "sbin": ["runc"]},
        "binary": ("bin", "containerd"),
    },
    "runc": {
        "url": "/opencontainers/runc/releases/download/v{version}/runc.{runc_arch}",
        "checksum": "file:runc.sha256sum",
        "layout": "raw",
        "install_as": "runc",
        "required": {"sbin": ["runc"]},
        "binary": ("sbin", "runc"),
    },
    "cni_plugins": {
        "url": "/containernetworking/plugins/releases/download/v{version}/cni-plugins-linux-{arch}-v{version}.tgz",
        "checksum": "suffix:.sha256",
        "layout": "tar",
        "members": {"": "cni"},
        "skip": ["LICENSE", "README.md"],
        "required": {"cni": ["loopback", "bridge", "host-local"]},
        "binary": ("cni", "loopback"),
    },
    "crictl": {
        "url": "/kubernetes-sigs/cri-tools/releases/download/v{version}/crictl-v{version}-linux-{arch}.tar.gz",
        "checksum": "suffix:.sha256",
        "layout": "tar",
        "members": {"": "bin"},
        "required": {"bin": ["crictl"]},
        "binary": ("bin", "crictl"),
    },
    "nerdctl": {
        "url": "/containerd/nerdctl/releases/download/v{version}/nerdctl-{version}-linux-{arch}.tar.gz",
        "checksum": "file:SHA256SUMS",
        "layout": "tar",
        "members": {"": "bin"},
        "required": {"bin": ["nerdctl"]},
        "binary": ("bin", "nerdctl"),
    },
}
NAMES = ("containerd", "runc", "cni_plugins", "crictl", "nerdctl")

# install role -> default directory below the prefix (upstream's documented places)
ROLE_DIRS = {"bin": "usr/local/bin", "sbin": "usr/local/sbin", "cni": "opt/cni/bin"}

VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")
REPORTED_VERSION_RE = re.compile(r"(?<![\w.])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)")
CHECKSUM_RE = re.compile(r"^(sha256|sha512):([0-9a-fA-F]+)$")
HEX_LENGTH = {"sha256": 64, "sha512": 128}
MANIFEST_FORMAT = 1


def component_key(name, bundle=None):
    if bundle:
        if name != "containerd" or bundle != "cri":
            raise ReleaseError("bundle: %s is only available for name: containerd (bundle: cri)" % bundle)
        return "cri"
    if name not in COMPONENTS or name == "cri":
        raise ReleaseError("unknown component %r: one of %s" % (name, ", ".join(NAMES)))
    return name


def normalize_version(version):
    """``v1.7.24`` -> ``1.7.24``; anything that is not a release version is an error."""
    text = str(version or "").strip()
    if not VERSION_RE.match(text):
        raise ReleaseError("version %r is not a release version like 1.7.24 (or v1.7.24)" % (version,))
    return text[1:] if text.startswith("v") else text


def version_key(version):
    """Sort key: 2.0.0-rc.1 < 2.0.0 < 2.0.1."""
    match = VERSION_RE.match(version or "")
    if not match:
        return (0, 0, 0, 0, "")
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def normalize_arch(arch):
    """A release arch name from a given arch or a machine name; unknown ones are an error."""
    value = str(arch or "").strip().lower()
    if value in MACHINE_ARCH:
        return MACHINE_ARCH[value]
    raise ReleaseError("unknown arch %r: use one of %s (or a machine name such as x86_64, aarch64)"
                       % (arch, ", ".join(ARCHES)))


def reported_version(output):
    """The version in a binary's ``--version`` output (first line), or None when it reports none.

    ``containerd github.com/containerd/containerd v1.7.24 <rev>``, Debian's ``... 1.7.24~ds1``,
    ``runc version 1.1.5``, ``crictl version v1.30.0``, ``CNI loopback plugin v1.5.1`` all give the version;
    ``CNI loopback plugin version unknown`` gives None.
    """
    lines = [line for line in (output or "").splitlines() if line.strip()]
    if not lines:
        return None
    match = REPORTED_VERSION_RE.search(lines[0])
    return match.group(1) if match else None


def same_version(reported, version):
    """Whether a binary's reported version is ``version`` (Debian's ~ds1/+unknown suffixes are ignored)."""
    if reported is None:
        return True
    return normalize_reported(reported) == version


def normalize_reported(reported):
    return re.split(r"[~+]", reported, maxsplit=1)[0]


def release_url(name, version, arch, mirror=None, bundle=None):
    """The upstream release URL of a component, with ``mirror`` in place of https://github.com."""
    key = component_key(name, bundle)
    path = COMPONENTS[key]["url"].format(version=version, arch=arch, runc_arch=RUNC_ARCH.get(arch, arch))
    origin = (mirror or GITHUB).rstrip("/")
    return origin + path


def checksum_url(key, url):
    """Where the release of component ``key`` keeps the checksum of the file at ``url`` (a URL or a path)."""
    rule = COMPONENTS[key]["checksum"]
    kind, value = rule.split(":", 1)
    if kind == "suffix":
        return url + value
    head = url.rsplit("/", 1)[0] if "/" in url else "."
    return head + "/" + value


def file_name(url):
    """The last path component of a URL or path, without query or fragment."""
    path = re.sub(r"[?#].*$", "", url)
    name = posixpath.basename(path.rstrip("/"))
    if not name or name in (".", ".."):
        raise ReleaseError("cannot tell a file name from %r" % url)
    return name


def split_userinfo(url):
    """``(url without user:password@, username, password)``; username and password are None when absent.

    Credentials in a URL are taken out before the URL is reported, logged, stored or used: downloads send
    them as HTTP basic authentication instead."""
    if not url or "@" not in url or "://" not in url:
        return url, None, None
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _sep, hostport = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) if colon else None


def redact(url):
    """``url`` without its userinfo, for messages."""
    return split_userinfo(url)[0] if isinstance(url, str) else url


# an HTTP header name is a token (RFC 9110 5.1): no space, colon, CR or LF
HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10


def check_headers(headers):
    """O(url_headers) as a {name: value} dict of strings; InvalidReleaseOptions naming the option otherwise.

    Messages name a header only when its name is valid, and never show a value (either may be the secret)."""
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise InvalidReleaseOptions("url_headers must be a mapping of header names to values, got a %s"
                                    % type(headers).__name__)
    for name, value in headers.items():
        if not isinstance(name, str) or not HEADER_NAME_RE.match(name):
            raise InvalidReleaseOptions("url_headers: a header name is not an HTTP header name (letters, digits and "
                                        "-, no space, colon, CR or LF; it is not shown, it may hold the secret)")
        if not isinstance(value, str):
            raise InvalidReleaseOptions("url_headers: the value of %s must be a string, got a %s (quote it)"
                                        % (name, type(value).__name__))
        if any(char in value for char in "\r\n\0"):
            raise InvalidReleaseOptions("url_headers: the value of %s holds a CR, LF or NUL character" % name)
    return dict(headers)


def origin(url):
    """(scheme, host, port) of ``url``, the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def redirected(url, location, headers):
    """(target URL, headers for it) of a redirect from ``url`` to ``location``: ``headers`` (credentials and
    O(url_headers)) only while the target has the origin (scheme, host and port) of ``url``. A redirect from
    https to plain http is refused (the download would lose its integrity, pinned checksum or not)."""
    target = urljoin(url, location)
    if urlsplit(target).scheme not in ("http", "https"):
        raise ReleaseError("%s redirected to a %s URL, which is not followed" % (redact(url), urlsplit(target).scheme))
    if urlsplit(url).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
        raise ReleaseError("%s redirected from https to plain http (%s), which is not followed"
                           % (redact(url), redact(target)))
    return target, (dict(headers) if headers and origin(target) == origin(url) else {})


LOOPBACK_HOSTS = ("localhost", "::1")


def unverified_origin(url, validate_certs):
    """Why a download from ``url`` has no integrity of its own (plain http to another host, or TLS without
    verification), or None. A local file, a path and a loopback address are not on the network."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        return None
    if parts.scheme == "http":
        return "it is plain http"
    if not validate_certs:
        return "validate_certs is false"
    return None


def refuse_unverified(url, validate_certs, pinned, allowed):
    """ReleaseError when the release file would come unverified from the network without a pinned checksum."""
    why = unverified_origin(url, validate_certs)
    if why and pinned is None and not allowed:
        raise ReleaseError("refusing to install %s without a pinned checksum: %s, so the checksum file beside it "
                           "could be forged on the way; set checksum: sha256:<hex> (or allow_unverified: true "
                           "to accept the risk)" % (redact(url), why))


def parse_pinned(checksum):
    """``sha256:<hex>`` -> ("sha256", hex); None stays None."""
    if checksum is None or checksum == "":
        return None
    match = CHECKSUM_RE.match(str(checksum).strip())
    if not match:
        raise ReleaseError("checksum must look like sha256:<64 hex digits> or sha512:<128 hex digits>, got %r"
                           % (checksum,))
    algorithm, digest = match.group(1), match.group(2).lower()
    if len(digest) != HEX_LENGTH[algorithm]:
        raise ReleaseError("a %s checksum has %d hex digits, got %d"
                           % (algorithm, HEX_LENGTH[algorithm], len(digest)))
    return algorithm, digest


_LINE_RE = re.compile(r"^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})(?:\s+\*?(.+?))?\s*$")
_BSD_RE = re.compile(r"^(SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$")


def parse_checksum_file(text, name):
    """The (algorithm, hex) for file ``name`` from a checksum file's text.

    Understands the formats releases use: ``<hex>  <name>`` lines (sha256sum/sha512sum, optionally
    ``*name`` or ``./name``, as containerd's .sha256sum, runc.sha256sum, nerdctl's SHA256SUMS and the CNI
    plugins' .sha256/.sha512 hold), a bare ``<hex>`` (cri-tools' .sha256) and BSD ``SHA256 (name) = <hex>``.
    """
    bare = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _BSD_RE.match(line)
        if match:
            algorithm, listed, digest = match.group(1).lower(), match.group(2), match.group(3).lower()
        else:
            match = _LINE_RE.match(line)
            if not match:
                continue
            digest, listed = match.group(1).lower(), match.group(2)
            algorithm = "sha256" if len(digest) == 64 else "sha512"
        if listed is None:
            bare.append((algorithm, digest))
        elif posixpath.basename(listed.strip()) == name:
            return algorithm, digest
    if len(bare) == 1:
        return bare[0]
    raise ReleaseError("the checksum file does not list %s" % name)


def file_digest(path, algorithm="sha256"):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def role_dirs(key, prefix="/", dest=None):
    """Install directory of each role a component uses: ``dest`` for its main role, else below ``prefix``."""
    spec = COMPONENTS[key]
    main = spec["binary"][0]
    dirs = {}
    for role in sorted(set(spec["required"]) | set((spec.get("members") or {}).values())):
        if role == main and dest:
            dirs[role] = dest
        else:
            dirs[role] = os.path.join(prefix or "/", ROLE_DIRS[role])
    return dirs


def select_members(key, names):
    """Map archive member names to (role, file name); unknown members are ignored.

    ``names`` are the names of the archive's regular files. Returns the mapping and the list of required
    files that are missing.
    """
    spec = COMPONENTS[key]
    chosen = {}
    for member in names:
        clean = posixpath.normpath(member.lstrip("/"))
        if clean.startswith("./"):
            clean = clean[2:]
        if clean.startswith("..") or clean in (".", ""):
            continue
        directory, base = posixpath.split(clean)
        role = spec["members"].get(directory)
        if role is None or base in spec.get("skip", ()) or base.startswith("."):
            continue
        chosen[member] = (role, base)
    present = set(chosen.values())
    missing = ["%s (%s)" % (base, role) for role, bases in sorted(spec["required"].items()) for base in bases
               if (role, base) not in present]
    return chosen, missing


def manifest_path(key, dirs):
    """The manifest lives beside the main binary: ``<dir>/.containerd.runtime-<component>.json``."""
    role = COMPONENTS[key]["binary"][0]
    return os.path.join(dirs[role], ".containerd.runtime-%s.json" % key)


def read_manifest(path):
    """The manifest at ``path``; None when there is none; ReleaseError when it is not ours or unreadable."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError) as error:
        if getattr(error, "errno", None) == 2:
            return None
        raise ReleaseError("cannot read the install manifest %s: %s" % (path, error))
    except ValueError as error:
        raise ReleaseError("the install manifest %s is not valid JSON (%s); remove it to reinstall" % (path, error))
    problem = manifest_problem(data)
    if problem:
        raise ReleaseError("the install manifest %s is malformed (%s); remove it to reinstall" % (path, problem))
    return data


def manifest_problem(data):
    """What is wrong with a manifest's data, or None."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if not isinstance(data.get("version"), str) or not data["version"]:
        return "version must be a string, got %r" % (data.get("version"),)
    for field in ("arch", "source", "archive_sha256", "component"):
        if data.get(field) is not None and not isinstance(data[field], str):
            return "%s must be a string, got %r" % (field, data[field])
    if not isinstance(data.get("files"), list):
        return "files must be a list, got %r" % (data.get("files"),)
    for index, entry in enumerate(data["files"]):
        if not isinstance(entry, dict):
            return "files[%d] must be an object with path and sha256, got %r" % (index, entry)
        if not isinstance(entry.get("path"), str) or not os.path.isabs(entry["path"]):
            return "files[%d].path must be an absolute path, got %r" % (index, entry.get("path"))
        if not isinstance(entry.get("sha256"), str):
            return "files[%d].sha256 must be a string, got %r" % (index, entry.get("sha256"))
    return None


def owned_path(path, dirs):
    """Whether ``path`` (from a manifest) is a file this component may remove: directly inside one of its
    directories ``dirs`` ({role: dir}), with a plain name (no separators, not hidden). Anything else a
    manifest lists is left alone."""
    directory, base = os.path.split(os.path.normpath(path))
    if not base or base.startswith(".") or base != os.path.basename(path):
        return False
    return any(os.path.normpath(directory) == os.path.normpath(own) for own in dirs.values())


def make_manifest(key, version, arch, source, archive_sha256, files):
    return {
        "format": MANIFEST_FORMAT,
        "component": key,
        "version": version,
        "arch": arch,
        "source": source,
        "archive_sha256": archive_sha256,
        "files": [{"path": path, "sha256": digest} for path, digest in sorted(files.items())],
    }


def write_manifest(path, manifest):
    """Write the manifest atomically (a temporary file beside it, then rename)."""
    write_atomically(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n", mode=0o644, prefix=".manifest-")
