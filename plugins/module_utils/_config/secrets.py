# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The secret parts of a containerd config.toml, masked for results and diffs.

Secrets in config.toml are registry credentials: CRI's ``registry.configs.<host>.auth`` (``password``,
``auth``, ``identitytoken``), the older ``registry.auths``, and request headers (``headers``), which may carry
tokens. Any key that names a password, secret, token or credentials counts, wherever it is.
"""

from __future__ import annotations

import re

MASK = "********"
_SECRET_KEY = re.compile(r"(?i)(pass(word|wd)?|secret|token|auth|authorization|credentials?|api_?key|private_?key)$")
_SECRET_TABLE = re.compile(r"(?i)^headers?$")


def is_secret_key(key):
    return bool(_SECRET_KEY.search(str(key)))


def mask(value, inside_secret=False):
    """A copy of ``value`` (config data) with every secret leaf replaced by ``MASK``."""
    if isinstance(value, dict):
        return dict((key, mask(item, inside_secret or bool(_SECRET_TABLE.match(str(key)))
                               or (is_secret_key(key) and not isinstance(item, dict))))
                    for key, item in value.items())
    if isinstance(value, list):
        return [mask(item, inside_secret) for item in value]
    if inside_secret and not isinstance(value, bool):
        return MASK
    return value


def has_secrets(value):
    """Whether ``value`` (config data) holds anything ``mask`` would hide."""
    return mask(value) != value


_LINE = re.compile(r"^(\s*)([\"']?)([^=\"'\s]+)\2(\s*=\s*)(.*)$")


def mask_text(text):
    """``mask`` for a config that is not valid TOML: ``key = value`` lines of secret keys and header tables."""
    lines = []
    in_headers = False
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_headers = bool(re.search(r"(?i)\.?headers?\]+\s*$", stripped))
            lines.append(line)
            continue
        match = _LINE.match(line)
        if match and (in_headers or is_secret_key(match.group(3)) or _SECRET_TABLE.match(match.group(3))):
            quote = match.group(2)
            lines.append('%s%s%s%s%s"%s"' % (match.group(1), quote, match.group(3), quote, match.group(4), MASK))
        else:
            lines.append(line)
    return "\n".join(lines) + ("\n" if (text or "").endswith("\n") else "")
