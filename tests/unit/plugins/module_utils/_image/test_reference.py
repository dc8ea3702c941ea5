# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image references: normalisation and the reasons invalid ones are rejected."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidReference
NORMALISED = {
    "busybox": "docker.io/library/busybox:latest",
    "nginx:1.27": "docker.io/library/nginx:1.27",
    "library/nginx": "docker.io/library/nginx:latest",
    "user/app:v1": "docker.io/user/app:v1",
    "index.docker.io/library/redis": "docker.io/library/redis:latest",
    "docker.io/busybox": "docker.io/library/busybox:latest",
    "ghcr.io/org/team/app:2": "ghcr.io/org/team/app:2",
    "localhost/app": "localhost/app:latest",
    "localhost:5000/app:dev": "localhost:5000/app:dev",
    "127.0.0.1:5000/a/b": "127.0.0.1:5000/a/b:latest",
    "Example.COM/app": "Example.COM/app:latest",
    "busybox@sha256:" + "a" * 64: "docker.io/library/busybox@sha256:" + "a" * 64,
    "busybox:1.36@sha256:" + "b" * 64: "docker.io/library/busybox:1.36@sha256:" + "b" * 64,
    "a__b/c-d.e_f": "docker.io/a__b/c-d.e_f:latest",
}


@pytest.mark.parametrize("value,expected", sorted(NORMALISED.items()))
def test_normalise(value, expected):
    assert reference.normalize(value) == expected


def test_parts():
    ref = reference.parse("127.0.0.1:5000/tools/app:1")
    assert (ref.domain, ref.path, ref.tag, ref.digest) == ("127.0.0.1:5000", "tools/app", "1", None)
    assert ref.repository == "127.0.0.1:5000/tools/app" and ref.object == "1"
    digest = "sha256:" + "c" * 64
    assert reference.parse("app@" + digest).object == digest
    assert reference.parse("busybox") == reference.parse("docker.io/library/busybox:latest")


INVALID = {
    "": "must not be empty",
    " busybox": "whitespace",
    "busy box": "whitespace",
    "BusyBox": "lower-case",
    "Team/app": "lower-case",
    "https://ghcr.io/app": "scheme",
    "busybox:-x": "not a valid tag",
    "busybox:" + "a" * 129: "not a valid tag",
    "busybox@sha256:abc": "not a digest",
    "busybox@sha256:" + "A" * 64: "64 lower-case hex",
    "busybox@nodigest": "not a digest",
    "example.com//app": "empty path component",
    "app/": "empty path component",
    "-app": "not a valid repository path component",
    "app-": "not a valid repository path component",
    "exa_mple.com:x/app": "registry host",
    ":tag": "repository name is missing",
    "a/" + "b" * 260: "longer than 255",
}


@pytest.mark.parametrize("value,reason", sorted(INVALID.items()))
def test_invalid_references_say_why(value, reason):
    with pytest.raises(InvalidReference) as raised:
        reference.parse(value)
    assert reason in raised.value.message


def test_non_strings_are_rejected():
    with pytest.raises(InvalidReference):
        reference.parse(None)
