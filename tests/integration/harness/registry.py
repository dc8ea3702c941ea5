# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real registry (Debian's docker-registry, distribution 2.8) on a free loopback port, started by PID.

Three configurations: plain HTTP; HTTPS with a CA generated here by openssl; HTTPS + htpasswd basic auth.
Everything lives under a private temp dir that ``destroy()`` removes. ``hosts_dir`` is a containerd
``certs.d``-style directory that trusts this registry's CA (for HTTPS registries).
"""
import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import binaries

CONFIG = """version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {data}
  delete:
    enabled: true
{readonly}http:
  addr: 127.0.0.1:{port}
  secret: containerd-runtime-tests
{tls}{auth}"""

TLS = """  tls:
    certificate: {cert}
    key: {key}
"""

AUTH = """auth:
  htpasswd:
    realm: containerd-runtime-tests
    path: {htpasswd}
"""

USERNAME = "tester"
PASSWORD = "s3cr3t-Pa55word"


class RegistryError(RuntimeError):
    pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Registry:
    """One docker-registry process. ``mode`` is ``http``, ``https`` or ``auth`` (HTTPS + htpasswd)."""

    def __init__(self, mode="http", base=None, readonly=False):
        if mode not in ("http", "https", "auth"):
            raise ValueError(mode)
        self.mode = mode
        self.readonly = readonly
        self.base = Path(base or tempfile.mkdtemp(prefix="registry-", dir="/tmp"))
        self.port = None
        self.proc = None
        self.log = self.base / "registry.log"
        self.username = USERNAME if mode == "auth" else None
        self.password = PASSWORD if mode == "auth" else None

    @property
    def tls(self):
        return self.mode in ("https", "auth")

    @property
    def host(self):
        """``127.0.0.1:<port>``: the registry part of image references."""
        return "127.0.0.1:%d" % self.port

    @property
    def url(self):
        return "%s://%s" % ("https" if self.tls else "http", self.host)

    @property
    def ca(self):
        return self.base / "ca.crt"

    @property
    def hosts_dir(self):
        """A certs.d directory with a hosts.toml trusting the CA (an empty one for plain HTTP)."""
        return self.base / "certs.d"

    def ref(self, repository, tag="latest"):
        return "%s/%s:%s" % (self.host, repository, tag)

    # ---- set-up -----------------------------------------------------------------------------------

    def _openssl(self, *args):
        subprocess.run(["openssl", *args], cwd=self.base, check=True, capture_output=True)

    def _certificates(self):
        self._openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
                      "-keyout", "ca.key", "-out", "ca.crt",
                      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign,cRLSign")
        self._openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                      "-keyout", "server.key", "-out", "server.csr")
        (self.base / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                           "extendedKeyUsage=serverAuth\n")
        self._openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                      "-days", "2", "-extfile", "san.ext", "-out", "server.crt")

    def write_hosts_toml(self, directory=None):
        directory = Path(directory or self.hosts_dir) / self.host
        directory.mkdir(parents=True, exist_ok=True)
        text = 'server = "%s"\n\n[host."%s"]\n  capabilities = ["pull", "resolve", "push"]\n' % (self.url, self.url)
        if self.tls:
            text += '  ca = "%s"\n' % self.ca
        (directory / "hosts.toml").write_text(text)
        return directory.parent

    def start(self, timeout=20):
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "data").mkdir(exist_ok=True)
        tls = auth = ""
        if self.tls:
            self._certificates()
            tls = TLS.format(cert=self.base / "server.crt", key=self.base / "server.key")
        if self.mode == "auth":
            htpasswd = self.base / "htpasswd"
            subprocess.run(["htpasswd", "-Bbc", str(htpasswd), self.username, self.password], check=True,
                           capture_output=True)
            auth = AUTH.format(htpasswd=htpasswd)
        self.hosts_dir.mkdir(exist_ok=True)
        for _attempt in range(5):
            self.port = free_port()
            config = self.base / "config.yml"
            readonly = "  maintenance:\n    readonly:\n      enabled: true\n" if self.readonly else ""
            config.write_text(CONFIG.format(data=self.base / "data", port=self.port, tls=tls, auth=auth,
                                            readonly=readonly))
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen([str(binaries.tool("docker-registry")), "serve", str(config)],
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait(timeout):
                if self.tls:
                    self.write_hosts_toml()
                return self
            self.stop()
        raise RegistryError("docker-registry did not start: %s" % self.log_tail())

    def _wait(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.request("GET", "/v2/")
                return True
            except urllib.error.HTTPError:
                return True  # 401 from an auth registry: it is up
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        return False

    def log_tail(self, lines=20):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # ---- the registry's own API (what tests verify with) --------------------------------------------

    def request(self, method, path, headers=None):
        request = urllib.request.Request(self.url + path, method=method, headers=dict(headers or {}))
        if self.username:
            token = base64.b64encode(("%s:%s" % (self.username, self.password)).encode()).decode()
            request.add_header("Authorization", "Basic " + token)
        context = None
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.ca))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=context))
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()

    def digest(self, repository, tag="latest"):
        """The manifest digest the registry serves for repository:tag, or None."""
        accept = ", ".join(["application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                            "application/vnd.docker.distribution.manifest.list.v2+json",
                            "application/vnd.docker.distribution.manifest.v2+json"])
        try:
            _status, headers, _body = self.request("HEAD", "/v2/%s/manifests/%s" % (repository, tag),
                                                   {"Accept": accept})
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        return headers.get("Docker-Content-Digest")

    def tags(self, repository):
        try:
            _status, _headers, body = self.request("GET", "/v2/%s/tags/list" % repository)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []
            raise
        return sorted(json.loads(body).get("tags") or [])

    def module_args(self):
        """Options of the image module that reach this registry: plain HTTP, or the CA through hosts_dir,
        plus the credentials."""
        if not self.tls:
            return {"plain_http": True}
        args = {"hosts_dir": str(self.hosts_dir)}
        if self.username:
            args.update(username=self.username, password=self.password)
        return args

    # ---- pushing test images with plain ctr (set-up, not the code under test) -----------------------

    def push_args(self):
        args = []
        if not self.tls:
            args.append("--plain-http")
        else:
            args += ["--hosts-dir", str(self.hosts_dir)]
        if self.username:
            args += ["--user", "%s:%s" % (self.username, self.password)]
        return args

    def push(self, daemon, namespace, archive, source_ref, repository, tag="latest"):
        """Import ``archive`` (whose image is ``source_ref``) into ``namespace`` and push it here."""
        import_args = ["images", "import"]
        if daemon.version.startswith("2"):
            import_args.append("--local")
        daemon.ctr(*import_args, archive, namespace=namespace)
        target = self.ref(repository, tag)
        daemon.ctr("images", "tag", "--force", source_ref, target, namespace=namespace)
        push = ["images", "push"]
        if daemon.version.startswith("2"):
            push.append("--local")
        daemon.ctr(*push, *self.push_args(), target, namespace=namespace)
        daemon.ctr("images", "rm", target, namespace=namespace, check=False)
        return target

    # ---- stopping ---------------------------------------------------------------------------------

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        if self.running:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def restart(self):
        """Start again on the same port with the same data (after ``stop()``)."""
        config = self.base / "config.yml"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([str(binaries.tool("docker-registry")), "serve", str(config)],
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if not self._wait(20):
            raise RegistryError("docker-registry did not restart: %s" % self.log_tail())
        return self

    def destroy(self):
        self.stop()
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.base)], check=False)


class _LoopbackFront:
    """What the loopback fronts of a registry share: ``self.registry`` and ``self.port`` (the front's port)."""

    registry = None
    port = None

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    @property
    def url(self):
        return "%s://%s" % ("https" if self.registry.tls else "http", self.host)

    def ref(self, repository, tag="latest"):
        return "%s/%s:%s" % (self.host, repository, tag)

    def write_hosts_toml(self, directory):
        """A certs.d entry for the proxy's host:port (trusting the registry's CA); returns the certs.d dir."""
        entry = Path(directory) / self.host
        entry.mkdir(parents=True, exist_ok=True)
        text = 'server = "%s"\n\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n' % (self.url, self.url)
        if self.registry.tls:
            text += '  ca = "%s"\n' % self.registry.ca
        (entry / "hosts.toml").write_text(text)
        return Path(directory)


class DelayingProxy(_LoopbackFront):
    """A loopback TCP proxy in front of a registry that holds each new connection ``delay`` seconds before
    relaying it: pulls through it take a few seconds, long enough to look at the processes doing them.

    TLS passes through untouched (the registry's certificate names 127.0.0.1, whatever the port). Runs in
    this process (threads); ``stop()`` closes the listener.
    """

    def __init__(self, registry, delay=2.0):
        import threading
        self.registry = registry
        self.delay = delay
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        import threading
        while not self._stopped.is_set():
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        import threading
        if self._stopped.wait(self.delay):
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.registry.port), timeout=10)
        except OSError:
            client.close()
            return

        def pipe(source, target):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    target.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (source, target):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        back.start()
        pipe(client, upstream)
        back.join(30)
        client.close()
        upstream.close()

    def stop(self):
        self._stopped.set()
        self.listener.close()


class RedirectingProxy(_LoopbackFront):
    """A loopback front for a registry that sends authenticated pulls elsewhere, as registries that keep their
    content on a CDN do: a manifest or blob request that carries ``Authorization`` is answered ``302`` to the
    same path on another loopback origin (another port, or ``target_host``); every other request is relayed to
    the registry with its headers (the 401 challenges come from the registry itself).

    The other origin records each request it gets (``received``: method, path, headers) and serves it from the
    registry with the harness's own credentials. Both speak TLS with the registry's certificate when the registry
    does (it names 127.0.0.1 and localhost). Runs in this process (threads); ``stop()`` closes both servers.
    """

    CONTENT = ("/manifests/", "/blobs/")

    def __init__(self, registry, target_host="127.0.0.1"):
        import threading
        self.registry = registry
        self.received = []
        self.redirected = []
        self._lock = threading.Lock()
        self.origin = self._server(self._origin_handler())
        self.front = self._server(self._front_handler())
        self.target = "%s://%s:%d" % ("https" if registry.tls else "http", target_host,
                                      self.origin.server_address[1])
        for server in (self.origin, self.front):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.front.server_address[1]

    def _server(self, handler):
        from http.server import ThreadingHTTPServer
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        if self.registry.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.registry.base / "server.crt"), str(self.registry.base / "server.key"))
            server.socket = context.wrap_socket(server.socket, server_side=True)
        return server

    def _upstream(self, method, path, headers, authorize):
        """(status, headers, body) of the registry for this request, redirects not followed."""
        request = urllib.request.Request(self.registry.url + path, method=method, headers=headers)
        if authorize and self.registry.username:
            token = base64.b64encode(("%s:%s" % (self.registry.username, self.registry.password)).encode()).decode()
            request.add_header("Authorization", "Basic " + token)
        context = ssl.create_default_context(cafile=str(self.registry.ca)) if self.registry.tls else None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=context))
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.headers.items(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.items(), error.read()

    def _handler(self, answer):
        from http.server import BaseHTTPRequestHandler

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def relay(self, status, headers, body):
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                        self.send_header(key, value)
                length = dict((key.lower(), value) for key, value in headers).get("content-length")
                self.send_header("Content-Length", length if self.command == "HEAD" and length else str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                answer(self)

            do_HEAD = do_GET
        return Handler

    def _forwarded(self, handler):
        return dict((key, value) for key, value in handler.headers.items()
                    if key.lower() in ("accept", "authorization", "range", "user-agent"))

    def _front_handler(self):
        def answer(handler):
            if any(part in handler.path for part in self.CONTENT) and handler.headers.get("Authorization"):
                with self._lock:
                    self.redirected.append(handler.path)
                handler.relay(302, [("Location", self.target + handler.path)], b"")
                return
            handler.relay(*self._upstream(handler.command, handler.path, self._forwarded(handler), authorize=False))
        return self._handler(answer)

    def _origin_handler(self):
        def answer(handler):
            with self._lock:
                self.received.append((handler.command, handler.path, dict(handler.headers.items())))
            headers = dict((key, value) for key, value in self._forwarded(handler).items()
                           if key.lower() != "authorization")
            handler.relay(*self._upstream(handler.command, handler.path, headers, authorize=True))
        return self._handler(answer)

    def stop(self):
        for server in (self.front, self.origin):
            server.shutdown()
            server.server_close()
