# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image references: parsing, validation and normalisation, the way docker and containerd users expect.

``busybox`` -> ``docker.io/library/busybox:latest``; ``nginx:1.27`` -> ``docker.io/library/nginx:1.27``;
``ghcr.io/org/app@sha256:...`` keeps its digest; ``127.0.0.1:5000/app`` -> ``127.0.0.1:5000/app:latest``.
The grammar follows the distribution reference grammar (lower-case path components, tags of at most 128
characters, ``algorithm:hex`` digests). Nothing here talks to a daemon or a registry.
"""

from __future__ import annotations

import re

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidReference

DEFAULT_DOMAIN = "docker.io"
LEGACY_DOMAINS = ("index.docker.io", "registry-1.docker.io")
OFFICIAL_PREFIX = "library/"
DEFAULT_TAG = "latest"
NAME_MAX_LENGTH = 255

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_DOMAIN = re.compile(
    r"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
    r"|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_SHA256 = re.compile(r"^sha256:[a-f0-9]{64}$")


class Reference(object):
    """A parsed, normalised image reference."""

    def __init__(self, domain, path, tag=None, digest=None):
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest

    @property
    def repository(self):
        """``domain/path`` without tag or digest."""
        return "%s/%s" % (self.domain, self.path)

    @property
    def object(self):
        """What the registry's manifest endpoint takes: the digest when there is one, else the tag."""
        return self.digest or self.tag

    def __str__(self):
        text = self.repository
        if self.tag:
            text += ":" + self.tag
        if self.digest:
            text += "@" + self.digest
        return text

    def __eq__(self, other):
        return isinstance(other, Reference) and str(self) == str(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(str(self))

    def __repr__(self):
        return "Reference(%r)" % str(self)


def _fail(value, why):
    raise InvalidReference("invalid image reference %r: %s" % (value, why))


def parse(value):
    """Parse and normalise ``value``; raise InvalidReference with a clear reason when it is not one."""
    if not isinstance(value, str):
        _fail(value, "it must be a string")
    text = value.strip()
    if not text:
        _fail(value, "it must not be empty")
    if text != value or any(char.isspace() for char in text):
        _fail(value, "it must not contain whitespace")
    if "://" in text:
        _fail(value, "leave out the scheme (http:// or https://); use plain_http for plain-HTTP registries")
    name, digest = text, None
    if "@" in text:
        name, digest = text.split("@", 1)
        if not _DIGEST.match(digest):
            _fail(value, "%r is not a digest (expected algorithm:hex, e.g. sha256:<64 hex digits>)" % digest)
        if digest.startswith("sha256:") and not _SHA256.match(digest):
            _fail(value, "a sha256 digest has exactly 64 lower-case hex digits")
    tag = None
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = name.rsplit(":", 1)
        if not _TAG.match(tag):
            _fail(value, "%r is not a valid tag (letters, digits, '_', '.', '-', at most 128 characters, "
                         "not starting with '.' or '-')" % tag)
    if not name:
        _fail(value, "the repository name is missing")
    parts = name.split("/")
    domain = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"
                           or parts[0].startswith("[")):
        domain = parts.pop(0)
        if not _DOMAIN.match(domain):
            _fail(value, "%r is not a valid registry host[:port]" % domain)
    elif len(parts) > 1 and parts[0] != parts[0].lower():
        _fail(value, "%r looks like a registry host but is not one (a host needs a '.' or a ':port'), and a "
                     "repository name must be lower-case" % parts[0])
    for component in parts:
        if not component:
            _fail(value, "empty path component (a doubled or trailing '/')")
        if component != component.lower() and _COMPONENT.match(component.lower()):
            _fail(value, "repository names must be lower-case (%r)" % component)
        if not _COMPONENT.match(component):
            _fail(value, "%r is not a valid repository path component (lower-case letters and digits, separated "
                         "by '.', '_', '__' or '-')" % component)
    if domain is None or domain in LEGACY_DOMAINS:
        domain = DEFAULT_DOMAIN
    path = "/".join(parts)
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    if len(domain) + 1 + len(path) > NAME_MAX_LENGTH:
        _fail(value, "the repository name is longer than %d characters" % NAME_MAX_LENGTH)
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(domain, path, tag, digest)


def normalize(value):
    """The canonical form of a reference (a string)."""
    return str(parse(value))
