# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry digest look-ups: auth challenges, hosts.toml, endpoints, ctr failure mapping (HTTP stubbed)."""
import io

import pytest
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.containerd.runtime.plugins.module_utils._common import errors
from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._image import registry
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import classify
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    RegistryAuthError,
    RegistryDenied,
    RegistryTLSError,
    RegistryUnreachable,
)
DIGEST = "sha256:" + "d" * 64


def test_www_authenticate_bearer_and_basic():
    assert registry.parse_www_authenticate(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",'
        'scope="repository:app:pull,push"') == ("bearer", {
            "realm": "https://auth.example.com/token", "service": "registry.example.com",
            "scope": "repository:app:pull,push"})
    assert registry.parse_www_authenticate('Basic realm="x \\"y\\""') == ("basic", {"realm": 'x "y"'})
    assert registry.parse_www_authenticate("Basic") == ("basic", {})
    assert registry.parse_www_authenticate("") is None
    assert registry.parse_www_authenticate(None) is None


def test_basic_authorization():
    assert registry.basic_authorization("u", "p") == "Basic dTpw"


def test_toml_subset_reads_hosts_files():
    data = registry.parse_toml_subset(
        'server = "https://registry.example.com"\n'
        '[host."https://mirror.example.com"]\n'
        '  capabilities = ["pull", "resolve"]\n'
        '  ca = "/etc/ca.crt"\n'
        '  skip_verify = true\n'
        '[host."https://mirror.example.com".header]\n'
        '  x-token = ["abc"]\n')
    assert data == {"server": "https://registry.example.com", "host": {"https://mirror.example.com": {
        "capabilities": ["pull", "resolve"], "ca": "/etc/ca.crt", "skip_verify": True,
        "header": {"x-token": ["abc"]}}}}


def test_endpoints_without_hosts_dir():
    (only,) = registry.endpoints("example.com:5000", plain_http=True)
    assert only["api"] == "http://example.com:5000/v2"
    (hub,) = registry.endpoints("docker.io")
    assert hub["api"] == "https://registry-1.docker.io/v2"


def test_endpoints_follow_hosts_toml(tmp_path):
    directory = tmp_path / "127.0.0.1_5000_"
    directory.mkdir()
    (directory / "hosts.toml").write_text(
        'server = "https://127.0.0.1:5000"\nca = "ca.crt"\n'
        '[host."http://127.0.0.1:6000"]\n  capabilities = ["pull", "resolve"]\n'
        '[host."https://proxy/v2/mirror"]\n  override_path = true\n')
    mirror, proxy, server = registry.endpoints("127.0.0.1:5000", hosts_dir=str(tmp_path))
    assert mirror["api"] == "http://127.0.0.1:6000/v2" and mirror["capabilities"] == ["pull", "resolve"]
    assert proxy["api"] == "https://proxy/v2/mirror"
    assert server["api"] == "https://127.0.0.1:5000/v2" and server["ca"] == [str(directory / "ca.crt")]
    assert "push" in server["capabilities"]


class Stub:
    """Answers by URL; records requests."""

    def __init__(self, answers):
        self.answers = answers
        self.requests = []

    def __call__(self, url, method, headers, endpoint):
        self.requests.append((method, url, dict(headers)))
        answer = self.answers[(method, url.split("?")[0])]
        if callable(answer):
            answer = answer(url, headers)
        if isinstance(answer, Exception):
            raise answer
        return answer


def http_error(url, code, headers=None):
    return HTTPError(url, code, "status %d" % code, headers or {}, io.BytesIO(b""))


def test_bearer_token_flow():
    manifest = "https://r.example.com/v2/library/app/manifests/1"

    def head(url, headers):
        if headers.get("Authorization") != "Bearer tok":
            return http_error(url, 401, {"WWW-Authenticate":
                                         'Bearer realm="https://auth.example.com/token",service="r.example.com"'})
        return 200, {"docker-content-digest": DIGEST}, b""

    def token(url, headers):
        assert "scope=repository%3Alibrary%2Fapp%3Apull" in url and "service=r.example.com" in url
        assert headers["Authorization"] == registry.basic_authorization("u", "p")
        return 200, {}, b'{"token": "tok"}'

    stub = Stub({("HEAD", manifest): head, ("GET", "https://auth.example.com/token"): token})
    client = registry.RegistryClient("u", "p", opener=stub)
    assert client.digest(reference.parse("r.example.com/library/app:1")) == DIGEST
    assert [r[0] for r in stub.requests] == ["HEAD", "GET", "HEAD"]


def test_basic_auth_and_wrong_credentials():
    manifest = "https://r.example.com/v2/app/manifests/1"

    def head(url, headers):
        if headers.get("Authorization") == registry.basic_authorization("u", "right"):
            return 200, {"docker-content-digest": DIGEST}, b""
        return http_error(url, 401, {"WWW-Authenticate": 'Basic realm="r"'})

    ref = reference.parse("r.example.com/app:1")
    assert registry.RegistryClient("u", "right", opener=Stub({("HEAD", manifest): head})).digest(ref) == DIGEST
    with pytest.raises(RegistryAuthError) as raised:
        registry.RegistryClient("u", "wrong", opener=Stub({("HEAD", manifest): head})).digest(ref)
    assert "rejected the credentials" in raised.value.message and "wrong" not in raised.value.message
    with pytest.raises(RegistryAuthError) as raised:
        registry.RegistryClient(opener=Stub({("HEAD", manifest): head})).digest(ref)
    assert "needs credentials" in raised.value.message


def test_not_found_is_none_and_mirrors_are_tried_in_order(tmp_path):
    directory = tmp_path / "r.example.com"
    directory.mkdir()
    (directory / "hosts.toml").write_text('[host."http://mirror:6000"]\n  capabilities = ["pull", "resolve"]\n')
    ref = reference.parse("r.example.com/app:1")
    stub = Stub({
        ("HEAD", "http://mirror:6000/v2/app/manifests/1"): URLError(ConnectionRefusedError(111, "refused")),
        ("HEAD", "https://r.example.com/v2/app/manifests/1"): lambda url, h: http_error(url, 404),
    })
    assert registry.RegistryClient(hosts_dir=str(tmp_path), opener=stub).digest(ref) is None
    assert [r[1].split("/")[2] for r in stub.requests] == ["mirror:6000", "r.example.com"]


def test_unreachable_and_tls_errors():
    ref = reference.parse("r.example.com/app:1")
    url = "https://r.example.com/v2/app/manifests/1"
    down = Stub({("HEAD", url): URLError(ConnectionRefusedError(111, "Connection refused"))})
    with pytest.raises(RegistryUnreachable) as raised:
        registry.RegistryClient(opener=down).digest(ref)
    assert "not reachable" in raised.value.message
    tls = Stub({("HEAD", url): URLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")})
    with pytest.raises(RegistryTLSError) as raised:
        registry.RegistryClient(opener=tls).digest(ref)
    assert "not trusted" in raised.value.message and "hosts_dir" in raised.value.message


CTR_FAILURES = {
    "refused": ('ctr: failed to resolve reference "x": failed to do request: Head "http://127.0.0.1:1/v2/x": '
                "dial tcp 127.0.0.1:1: connect: connection refused", RegistryUnreachable),
    "tls": ("ctr: failed to resolve image: failed to do request: Head ...: tls: failed to verify certificate: "
            "x509: certificate signed by unknown authority", RegistryTLSError),
    "auth": ("ctr: failed to resolve image: unexpected status from HEAD request to https://x/v2/a/manifests/1: "
             "401 Unauthorized", RegistryAuthError),
    "denied": ("ctr: failed to push: unexpected status from POST request to http://x/v2/a/blobs/uploads/: "
               "405 Method Not Allowed", RegistryDenied),
    "missing": ("ctr: failed to resolve image: 127.0.0.1:5000/missing:1: not found", errors.NotFound),
    # a port that contains 403 / 401 is no HTTP status (seen in CI: port 40325 read as "403 denied")
    "refused-port-403xx": ('ctr: failed to resolve image: failed to do request: Head "http://127.0.0.1:40325/v2/'
                           'down/busybox/manifests/1": dial tcp 127.0.0.1:40325: connect: connection refused',
                           RegistryUnreachable),
    "refused-port-401xx": ('ctr: failed to resolve image: failed to do request: Head "http://127.0.0.1:40101/v2/'
                           'a/manifests/1": dial tcp 127.0.0.1:40101: connect: connection refused',
                           RegistryUnreachable),
}


@pytest.mark.parametrize("name", sorted(CTR_FAILURES))
def test_ctr_registry_failures_are_mapped(name):
    stderr, kind = CTR_FAILURES[name]
    error = classify.classify(["ctr", "images", "pull"], 1, stderr, "/run/c.sock", 30)
    mapped = registry.registry_failure(error, reference.parse("127.0.0.1:5000/a:1"), "pull")
    assert mapped.__class__ is kind
    assert mapped.argv == ["ctr", "images", "pull"] and mapped.stderr == stderr


def test_daemon_failures_are_not_registry_failures():
    error = errors.DaemonUnavailable("containerd is not running")
    assert registry.registry_failure(error, reference.parse("a"), "pull") is error
