# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TOML filters: ``to_toml`` (tomli-w) and ``from_toml`` (tomllib). Documented in to_toml.yml/from_toml.yml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

try:
    import tomllib
except ImportError:  # Python < 3.11 on the controller
    tomllib = None

try:
    import tomli_w
except ImportError:
    tomli_w = None


def _plain(value):
    """Ansible's lazy containers and tagged strings as the plain dict/list/str tomli-w accepts."""
    if isinstance(value, Mapping):
        return dict((to_text(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (str, bytes)):
        return to_text(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Sequence):
        return [_plain(item) for item in value]
    return value


def to_toml(data, indent=2):
    """Serialise a dict as a TOML document."""
    if tomli_w is None:
        raise AnsibleFilterError("to_toml needs the Python package tomli-w on the controller (pip install tomli-w)")
    if not isinstance(data, Mapping):
        raise AnsibleFilterError("to_toml needs a dict (a TOML document is a table), got %s" % type(data).__name__)
    try:
        return tomli_w.dumps(_plain(data), indent=int(indent))
    except (TypeError, ValueError) as error:
        raise AnsibleFilterError("to_toml: %s" % error) from error


def from_toml(text):
    """Parse a TOML document into a dict."""
    if tomllib is None:
        raise AnsibleFilterError("from_toml needs Python 3.11 or later on the controller (tomllib)")
    if not isinstance(text, (str, bytes)):
        raise AnsibleFilterError("from_toml needs a string, got %s" % type(text).__name__)
    try:
        return tomllib.loads(to_text(text))
    except tomllib.TOMLDecodeError as error:
        raise AnsibleFilterError("from_toml: invalid TOML: %s" % error) from error


class FilterModule(object):
    def filters(self):
        return {"to_toml": to_toml, "from_toml": from_toml}
