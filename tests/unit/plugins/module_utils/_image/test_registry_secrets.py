# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry look-ups keep credentials with their origin, check token replies and use every CA and client pair.

The redirect cases run the real HTTP stack (``open_url``) against two loopback servers.
"""
import http.server
import threading

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._image import registry
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import RegistryAuthError, RegistryError

DIGEST = "sha256:" + "e" * 64
AUTH = registry.basic_authorization("u", "pw")


class Server:
    """A loopback HTTP server that records request headers; ``answer(handler)`` -> (code, headers)."""

    def __init__(self, answer):
        self.seen = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_HEAD(self):
                outer.seen.append(dict((k.lower(), v) for k, v in self.headers.items()))
                code, headers = answer(self)
                self.send_response(code)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_HEAD

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    started = []

    def start(answer):
        started.append(Server(answer))
        return started[-1]
    yield start
    for server in started:
        server.close()


def _basic_then_redirect(target):
    def answer(handler):
        if handler.headers.get("Authorization") != AUTH:
            return 401, {"WWW-Authenticate": 'Basic realm="r"'}
        return 302, {"Location": target + handler.path}
    return answer


def test_a_redirect_to_another_port_carries_no_credentials_nor_hosts_toml_headers(servers, tmp_path):
    other = servers(lambda handler: (200, {"Docker-Content-Digest": DIGEST}))
    first = servers(_basic_then_redirect(other.url))
    host = first.url.split("://")[1]
    (tmp_path / host).mkdir()
    (tmp_path / host / "hosts.toml").write_text('server = "%s"\n[header]\n  X-Secret = "hdr-secret"\n' % first.url)
    client = registry.RegistryClient("u", "pw", plain_http=True, hosts_dir=str(tmp_path))
    assert client.digest(reference.parse(host + "/app:1")) == DIGEST
    assert first.seen[-1]["authorization"] == AUTH and first.seen[-1]["x-secret"] == "hdr-secret"
    assert other.seen and all("authorization" not in seen and "x-secret" not in seen for seen in other.seen)


def test_a_redirect_within_the_origin_keeps_the_credentials(servers):
    def answer(handler):
        if handler.headers.get("Authorization") != AUTH:
            return 401, {"WWW-Authenticate": 'Basic realm="r"'}
        if handler.path.startswith("/moved"):
            return 200, {"Docker-Content-Digest": DIGEST}
        return 307, {"Location": "/moved" + handler.path}
    server = servers(answer)
    client = registry.RegistryClient("u", "pw", plain_http=True)
    assert client.digest(reference.parse(server.url.split("://")[1] + "/app:1")) == DIGEST


def test_a_redirect_from_https_to_http_is_refused():
    def opener(url, method, headers, endpoint):
        raise registry.HTTPError(url, 302, "Found", {"Location": "http://elsewhere:81/x"}, None)
    client = registry.RegistryClient("u", "pw", opener=opener)
    with pytest.raises(RegistryError, match="not HTTPS: refused"):
        client.digest(reference.parse("r.example.com/app:1"))


def _bearer_client(reply):
    def opener(url, method, headers, endpoint):
        if url.startswith("https://auth.example.com/"):
            return 200, {}, reply
        raise registry.HTTPError(url, 401, "Unauthorized",
                                 {"WWW-Authenticate": 'Bearer realm="https://auth.example.com/token"'}, None)
    return registry.RegistryClient("u", "pw", opener=opener)


@pytest.mark.parametrize("reply", [b"[]", b'"x"', b'{"token": 12345}', b'{"token": ["a"]}', b"null", b"\xff",
                                   b'{"token": "two words"}'])
def test_a_malformed_token_reply_is_a_clear_auth_error(reply):
    with pytest.raises(RegistryAuthError, match="token service https://auth.example.com/token"):
        _bearer_client(reply).digest(reference.parse("r.example.com/app:1"))


def test_every_ca_and_every_client_pair_of_hosts_toml_are_used(monkeypatch, tmp_path):
    directory = tmp_path / "r.example.com"
    directory.mkdir()
    (directory / "a.crt").write_text("-----A-----\n")
    (directory / "b.crt").write_text("-----B-----\n")
    (directory / "hosts.toml").write_text('server = "https://r.example.com"\nca = ["a.crt", "b.crt"]\n'
                                          'client = [["c1.crt", "c1.key"], "c2.pem"]\n')
    calls = []

    class Response:
        headers = {"Docker-Content-Digest": DIGEST}

        @staticmethod
        def getcode():
            return 200

    def fake_open_url(url, **kwargs):
        with open(kwargs["ca_path"]) as bundle:
            calls.append((bundle.read(), kwargs["client_cert"], kwargs["client_key"], kwargs["follow_redirects"]))
        if len(calls) == 1:
            raise registry.URLError("tlsv13 alert certificate required")
        return Response()
    monkeypatch.setattr(registry, "open_url", fake_open_url)
    client = registry.RegistryClient(hosts_dir=str(tmp_path))
    assert client.digest(reference.parse("r.example.com/app:1")) == DIGEST
    assert calls == [("-----A-----\n-----B-----\n", str(directory / "c1.crt"), str(directory / "c1.key"), "none"),
                     ("-----A-----\n-----B-----\n", str(directory / "c2.pem"), None, "none")]
