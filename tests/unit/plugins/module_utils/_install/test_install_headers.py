# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""url_headers of containerd_install: checked, sent with the credentials, kept to the download's origin."""
import base64

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._install import converge, release
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidReleaseOptions, ReleaseError

from test_install_converge import params

SECRET = "hdr-s3cret"


@pytest.mark.parametrize("headers, message", [
    (["X-Token", SECRET], "url_headers must be a mapping of header names to values, got a list"),
    ({"X-Token": 5}, "url_headers: the value of X-Token must be a string, got a int (quote it)"),
    ({"X-Token: " + SECRET: "x"}, "url_headers: a header name is not an HTTP header name"),
    ({"X-Token\r\nX-Other": SECRET}, "url_headers: a header name is not an HTTP header name"),
    ({"X-Token": SECRET + "\nX-Other: 1"}, "url_headers: the value of X-Token holds a CR, LF or NUL character"),
])
def test_bad_url_headers_are_a_clear_error_that_shows_no_secret(tmp_path, headers, message):
    with pytest.raises(InvalidReleaseOptions) as raised:
        converge.resolve(params(tmp_path, url_headers=headers))
    assert message in raised.value.message
    assert SECRET not in raised.value.message


def test_an_authorization_header_and_url_username_are_exclusive(tmp_path):
    with pytest.raises(InvalidReleaseOptions, match="url_headers: an Authorization header and url_username"):
        converge.resolve(params(tmp_path, url_username="me", url_headers={"authorization": "Bearer x"}))


def test_request_headers_carry_basic_authentication_and_url_headers(tmp_path):
    headers = converge.request_headers(params(tmp_path, mirror="https://me:pw@mirror.example",
                                              url_headers={"X-Token": SECRET}))
    assert headers == {"X-Token": SECRET, "Authorization": "Basic " + base64.b64encode(b"me:pw").decode()}


@pytest.mark.parametrize("location, kept", [
    ("/other/path", True),
    ("https://mirror.example:443/x", True),
    ("https://mirror.example:8443/x", False),
    ("https://cdn.example/x", False),
])
def test_private_headers_follow_a_redirect_only_within_the_origin(location, kept):
    target, headers = release.redirected("https://mirror.example/a/b", location, {"X-Token": SECRET})
    assert target.endswith(location.rsplit("/", 1)[1])
    assert headers == ({"X-Token": SECRET} if kept else {})


def test_private_headers_do_not_follow_a_redirect_from_http_to_https():
    assert release.redirected("http://mirror.example/a", "https://mirror.example/a", {"X-Token": SECRET})[1] == {}


def test_a_redirect_from_https_to_plain_http_is_refused():
    with pytest.raises(ReleaseError, match="redirected from https to plain http") as raised:
        release.redirected("https://user:pw@mirror.example/a", "http://mirror.example/a", {"X-Token": SECRET})
    assert "pw" not in raised.value.message and SECRET not in raised.value.message


def test_a_redirect_to_a_non_http_url_is_refused():
    with pytest.raises(ReleaseError, match="redirected to a file URL"):
        release.redirected("https://mirror.example/a", "file:///etc/shadow", {})
