# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry HTTP API v2 digest look-ups: which manifest digest does a registry serve for a reference?

Used where the answer must come without changing anything (check mode of ``pull: always``, ``push``
skipping what the registry already has). Only ``HEAD /v2/<name>/manifests/<tag|digest>``, with basic and
bearer-token authentication, TLS verification against a CA (or none with ``skip_verify``), plain HTTP, and
the mirrors and CA files of a containerd ``hosts_dir`` (``certs.d/<host>/hosts.toml``), tried in the order
containerd tries them. Runs on the managed host: standard library and ``ansible.module_utils.urls`` only.

Redirects are followed here, not by ``open_url``: a hop to another origin (scheme, host or port) loses the
``Authorization`` header and the hosts.toml headers, and a hop from HTTPS to plain HTTP is refused.

Also the mapping of ctr's registry failures (refused connection, TLS, 401, 403) to clear errors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode, urljoin, urlsplit

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import classify
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    CollectionError,
    DaemonTimeout,
    DaemonUnavailable,
    NotFound,
    PermissionDenied,
    RegistryAuthError,
    RegistryDenied,
    RegistryError,
    RegistryTLSError,
    RegistryUnreachable,
)

try:
    import tomllib  # Python >= 3.11
except ImportError:  # pragma: no cover - older Pythons on managed hosts
    tomllib = None

DEFAULT_HOSTS_DIR = "/etc/containerd/certs.d"
DOCKER_HUB = "docker.io"
DOCKER_HUB_SERVER = "https://registry-1.docker.io"
MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
]
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10


# ---- WWW-Authenticate -------------------------------------------------------------------------------

_CHALLENGE = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')


def parse_www_authenticate(header):
    """``Bearer realm="x",service="y"`` -> ('bearer', {'realm': 'x', 'service': 'y'}); None when empty."""
    header = (header or "").strip()
    if not header:
        return None
    parts = header.split(None, 1)
    scheme = parts[0].lower()
    params = {}
    if len(parts) > 1:
        for match in _CHALLENGE.finditer(parts[1]):
            value = match.group(2) if match.group(2) is not None else match.group(3)
            params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
    return scheme, params


def basic_authorization(username, password):
    token = base64.b64encode(("%s:%s" % (username, password or "")).encode("utf-8")).decode("ascii")
    return "Basic " + token


# ---- hosts.toml ---------------------------------------------------------------------------------------

def _toml_value(text):
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    if text.startswith("["):
        return [_toml_value(item) for item in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^,\[\]\s]+', text)]
    if text[:1] in ('"', "'"):
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    try:
        return int(text)
    except ValueError:
        return text


def parse_toml_subset(text):
    """The part of TOML hosts.toml files use: key = value, [table], [table."quoted key".sub], arrays."""
    data = {}
    table = data
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip() if '"' not in raw else raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            keys = re.findall(r'"((?:[^"\\]|\\.)*)"|([^."\s]+)', line[1:-1])
            table = data
            for quoted, bare in keys:
                table = table.setdefault(quoted or bare, {})
            continue
        if "=" in line:
            key, value = line.split("=", 1)
            table[key.strip().strip('"')] = _toml_value(value)
    return data


def load_toml(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    if tomllib is not None:
        return tomllib.loads(raw.decode("utf-8"))
    return parse_toml_subset(raw.decode("utf-8"))


def host_directories(hosts_dir, host):
    """Where containerd looks for ``host``'s hosts.toml, in order (``host_port_`` form first)."""
    paths = []
    index = host.rfind(":")
    if index > 0:
        paths.append(os.path.join(hosts_dir, "%s_%s_" % (host[:index], host[index + 1:])))
    paths += [os.path.join(hosts_dir, host), os.path.join(hosts_dir, "_default")]
    return paths


def _ca_list(value, base):
    if not value:
        return []
    values = value if isinstance(value, list) else [value]
    return [item if os.path.isabs(item) else os.path.join(base, item) for item in values if isinstance(item, str)]


def _client_pairs(value, base):
    """hosts.toml ``client``: a file (certificate and key in one), or a list of files and [cert, key] pairs."""
    if not value:
        return []
    pairs = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            pair = [item, None]
        elif isinstance(item, list) and item and len(item) <= 2 and all(isinstance(part, str) for part in item):
            pair = list(item) + [None] * (2 - len(item))
        else:
            raise RegistryError("hosts.toml under %s: client must be a file or a list of files and [cert, key] pairs, "
                                "got %r" % (base, value))
        pairs.append(tuple(part if part is None or os.path.isabs(part) else os.path.join(base, part) for part in pair))
    return pairs


def _endpoint(url, settings, base, capabilities=None):
    override = bool(settings.get("override_path"))
    path = url.rstrip("/")
    if not override and not path.endswith("/v2"):
        path += "/v2"
    return {
        "url": url, "api": path,
        "capabilities": list(settings.get("capabilities") or capabilities or ["pull", "resolve", "push"]),
        "ca": _ca_list(settings.get("ca"), base),
        "clients": _client_pairs(settings.get("client"), base),
        "skip_verify": bool(settings.get("skip_verify")),
        "header": dict(settings.get("header") or {}),
    }


def is_localhost(domain):
    """``localhost`` or a loopback address, with or without a port (containerd's MatchLocalhost)."""
    host = domain
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host == "localhost" or host == "::1" or bool(re.match(r"^127\.\d+\.\d+\.\d+$", host))


def endpoints(domain, plain_http=False, skip_verify=False, hosts_dir=None):
    """The endpoints containerd would try for ``domain``: hosts.toml mirrors in order, then the server."""
    scheme = "http" if plain_http else "https"
    default_server = DOCKER_HUB_SERVER if domain == DOCKER_HUB else "%s://%s" % (scheme, domain)
    config, base = None, None
    if hosts_dir and os.path.isdir(hosts_dir):
        for directory in host_directories(hosts_dir, domain):
            path = os.path.join(directory, "hosts.toml")
            if os.path.isfile(path):
                try:
                    config = load_toml(path)
                except (ValueError, OSError, UnicodeDecodeError) as exc:
                    raise RegistryError("cannot read %s: %s" % (path, exc))
                base = directory
                break
    result = []
    server = default_server
    server_settings = {}
    if config:
        for url, settings in (config.get("host") or {}).items():
            if "://" not in url:
                url = "%s://%s" % (scheme, url)
            result.append(_endpoint(url, settings or {}, base, ["pull", "resolve"]))
        server = config.get("server") or default_server
        if "://" not in server:
            server = "%s://%s" % (scheme, server)
        server_settings = dict((key, value) for key, value in config.items() if key != "host")
    server_endpoint = _endpoint(server, server_settings, base)
    if not config and not plain_http and is_localhost(domain):
        # containerd's default for a loopback registry without hosts.toml: HTTPS without verification,
        # falling back to plain HTTP
        server_endpoint["skip_verify"] = True
        server_endpoint["fallback"] = server_endpoint["api"].replace("https://", "http://", 1)
    result.append(server_endpoint)
    for endpoint in result:
        endpoint["skip_verify"] = endpoint["skip_verify"] or bool(skip_verify)
    return result


def open_url(*args, **kwargs):
    """``ansible.module_utils.urls.open_url``, imported at the first request: that module and the TLS stack it
    loads cost every module run that imports this file tens of milliseconds, and the no-op runs of the container
    and workloads modules (this file is imported for their pulls) never ask a registry."""
    from ansible.module_utils.urls import open_url as ansible_open_url  # pylint: disable=import-outside-toplevel
    return ansible_open_url(*args, **kwargs)


# ---- HEAD on a manifest -------------------------------------------------------------------------------

class RegistryClient(object):
    """Resolve references to the manifest digests registries serve.

    ``opener(url, method, headers, endpoint)`` returns (status, headers) and raises HTTPError/URLError;
    the default uses ``ansible.module_utils.urls.open_url``.
    """

    def __init__(self, username=None, password=None, plain_http=False, skip_verify=False, hosts_dir=None,
                 timeout=30, opener=None):
        self.username = username
        self.password = password
        self.plain_http = plain_http
        self.skip_verify = skip_verify
        self.hosts_dir = hosts_dir
        self.timeout = timeout
        self.opener = opener or self._open
        self._tokens = {}

    def _open(self, url, method, headers, endpoint):
        """One request, redirects not followed (``_request`` follows them); each client pair tried in turn."""
        cas = endpoint.get("ca") or []
        bundle = _ca_bundle(cas) if len(cas) > 1 else None
        clients = endpoint.get("clients") or [(None, None)]
        try:
            for index, (cert, key) in enumerate(clients):
                try:
                    response = open_url(url, method=method, headers=headers, timeout=self.timeout,
                                        validate_certs=not endpoint.get("skip_verify"),
                                        ca_path=bundle or (cas[0] if cas else None), client_cert=cert, client_key=key,
                                        follow_redirects="none", use_proxy=True)
                    break
                except HTTPError:
                    raise
                except (URLError, OSError):
                    if index == len(clients) - 1:
                        raise
        finally:
            if bundle:
                os.unlink(bundle)
        body = response.read() if method == "GET" else b""
        return response.getcode(), dict((key.lower(), value) for key, value in response.headers.items()), body

    def digest(self, ref, capability="resolve"):
        """The digest a registry serves for ``ref`` (a reference.Reference), or None when it has none."""
        candidates = [endpoint for endpoint in endpoints(ref.domain, self.plain_http, self.skip_verify,
                                                         self.hosts_dir)
                      if capability in endpoint["capabilities"]]
        if not candidates:
            raise RegistryError("no host in %s may %s %s" % (self.hosts_dir, capability, ref.domain))
        errors = []
        for index, endpoint in enumerate(candidates):
            last = index == len(candidates) - 1
            try:
                return self._head(endpoint, ref)
            except RegistryError as exc:
                if last and not errors:
                    raise
                errors.append("%s: %s" % (endpoint["url"], exc.message))
        raise RegistryUnreachable("no registry host could resolve %s: %s" % (ref, "; ".join(errors)))

    def authorization(self, ref, actions="pull"):
        """The Authorization value for ``ref``'s registry server with these credentials: a bearer token for
        ``repository:<path>:<actions>`` when the server's challenge is bearer, else Basic; None when it asks for
        none. For giving ctr the credentials in a private hosts.toml instead of on its argv."""
        endpoint = endpoints(ref.domain, self.plain_http, self.skip_verify, self.hosts_dir)[-1]
        apis = [endpoint["api"]] + ([endpoint["fallback"]] if endpoint.get("fallback") else [])
        for index, api in enumerate(apis):
            try:
                self._request(api + "/", "GET", {}, endpoint)
                return None
            except HTTPError as exc:
                if exc.code != 401:
                    return None
                challenge = parse_www_authenticate(_header(exc.headers, "www-authenticate"))
                return self._authorize(challenge, "repository:%s:%s" % (ref.path, actions), endpoint, ref)
            except (RegistryTLSError, RegistryUnreachable):
                if index == len(apis) - 1:
                    raise
        return None

    def _head(self, endpoint, ref):
        try:
            return self._head_once(endpoint, ref)
        except (RegistryTLSError, RegistryUnreachable):
            if not endpoint.get("fallback"):
                raise
            return self._head_once(dict(endpoint, api=endpoint["fallback"], fallback=None), ref)

    def _head_once(self, endpoint, ref):
        url = "%s/%s/manifests/%s" % (endpoint["api"], ref.path, ref.object)
        headers = {"Accept": ", ".join(MANIFEST_TYPES)}
        for key, value in endpoint["header"].items():
            headers[key] = ", ".join(value) if isinstance(value, list) else str(value)
        scope = "repository:%s:pull" % ref.path
        token = self._tokens.get((endpoint["api"], scope))
        if token:
            headers["Authorization"] = token
        for _attempt in range(2):
            try:
                _status, response_headers, _body = self._request(url, "HEAD", headers, endpoint)
                return self._digest_of(response_headers, ref, endpoint, url, headers)
            except HTTPError as exc:
                if exc.code == 404:
                    return None
                if exc.code == 401 and "Authorization" not in headers:
                    challenge = parse_www_authenticate(exc.headers.get("WWW-Authenticate") if exc.headers else None)
                    headers["Authorization"] = self._authorize(challenge, scope, endpoint, ref)
                    self._tokens[(endpoint["api"], scope)] = headers["Authorization"]
                    continue
                raise self._http_error(exc, endpoint, ref)
        raise RegistryAuthError(self._auth_message(endpoint, ref))

    def _digest_of(self, response_headers, ref, endpoint, url, headers):
        digest = response_headers.get("docker-content-digest")
        if digest:
            return digest
        if ref.digest:
            return ref.digest
        # A registry that leaves out the header on HEAD: ask with GET and hash what it serves.
        _status, _headers, body = self._request(url, "GET", headers, endpoint)
        return "sha256:" + hashlib.sha256(body).hexdigest()

    def _request(self, url, method, headers, endpoint):
        """``opener`` with redirects followed: credentials and hosts.toml headers stay with their origin."""
        headers = dict(headers)
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                return self.opener(url, method, headers, endpoint)
            except HTTPError as exc:
                location = _header(exc.headers, "location")
                if exc.code not in REDIRECT_CODES or not location:
                    raise
                target = urljoin(url, location)
                if urlsplit(url).scheme == "https" and urlsplit(target).scheme != "https":
                    raise RegistryError("registry %s redirected %s to %s, which is not HTTPS: refused (credentials and "
                                        "content would travel in the clear)"
                                        % (endpoint["url"], _bare(url), _bare(target)))
                if _origin(target) != _origin(url):
                    private = set(key.lower() for key in endpoint.get("header") or {}) | {"authorization"}
                    headers = dict((key, value) for key, value in headers.items() if key.lower() not in private)
                if exc.code == 303 and method not in ("GET", "HEAD"):
                    method = "GET"
                url = target
            except URLError as exc:
                raise self._url_error(exc, endpoint)
            except (OSError, ValueError) as exc:
                raise self._url_error(exc, endpoint)
        raise RegistryError("registry %s redirected more than %d times" % (endpoint["url"], MAX_REDIRECTS))

    def _authorize(self, challenge, scope, endpoint, ref):
        if challenge is None:
            raise RegistryAuthError(self._auth_message(endpoint, ref))
        scheme, params = challenge
        if scheme == "basic":
            if not self.username:
                raise RegistryAuthError("registry %s needs credentials for %s: set username and password"
                                        % (endpoint["url"], ref))
            return basic_authorization(self.username, self.password)
        if scheme == "bearer":
            return "Bearer " + self._token(params, scope, endpoint, ref)
        raise RegistryAuthError("registry %s asks for %s authentication, which is not supported (basic and bearer "
                                "are)" % (endpoint["url"], scheme))

    def _token(self, params, scope, endpoint, ref):
        realm = params.get("realm")
        if not realm:
            raise RegistryAuthError("registry %s sent a bearer challenge without a realm" % endpoint["url"])
        query = {"scope": params.get("scope") or scope}
        if params.get("service"):
            query["service"] = params["service"]
        url = realm + ("&" if "?" in realm else "?") + urlencode(sorted(query.items()))
        headers = {}
        if self.username:
            headers["Authorization"] = basic_authorization(self.username, self.password)
        try:
            _status, _headers, body = self._request(url, "GET", headers, endpoint)
        except HTTPError as exc:
            if exc.code in (401, 403):
                raise RegistryAuthError(self._auth_message(endpoint, ref))
            raise self._http_error(exc, endpoint, ref)
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, AttributeError):
            raise RegistryAuthError("the token service %s of registry %s did not answer with JSON"
                                    % (_bare(realm), endpoint["url"]))
        if not isinstance(data, dict):
            raise RegistryAuthError("the token service %s of registry %s answered with a JSON %s, not an object"
                                    % (_bare(realm), endpoint["url"], type(data).__name__))
        token = data.get("token") or data.get("access_token")
        if not token:
            raise RegistryAuthError("the token service %s of registry %s sent no token" % (_bare(realm), endpoint["url"]))
        if not isinstance(token, str) or not re.match(r"^[\x21-\x7e]+$", token):
            raise RegistryAuthError("the token service %s of registry %s sent a token that is not a string of printable "
                                    "characters" % (_bare(realm), endpoint["url"]))
        return token

    def _auth_message(self, endpoint, ref):
        if self.username:
            return ("registry %s rejected the credentials of user %r for %s: check username and password"
                    % (endpoint["url"], self.username, ref))
        return "registry %s needs credentials for %s: set username and password" % (endpoint["url"], ref)

    def _http_error(self, exc, endpoint, ref):
        if exc.code == 401:
            return RegistryAuthError(self._auth_message(endpoint, ref))
        if exc.code == 403:
            return RegistryDenied("registry %s denied access to %s (HTTP 403)" % (endpoint["url"], ref))
        return RegistryError("registry %s answered HTTP %s %s for %s" % (endpoint["url"], exc.code, exc.reason, ref))

    def _url_error(self, exc, endpoint):
        reason = getattr(exc, "reason", exc)
        text = str(reason)
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return RegistryTLSError(tls_message(endpoint["url"], text))
        if "wrong version number" in text.lower() or "http request to an https server" in text.lower():
            return RegistryTLSError("registry %s does not speak %s: %s (set plain_http for a plain-HTTP registry)"
                                    % (endpoint["url"], endpoint["url"].split(":")[0].upper(), text))
        return RegistryUnreachable("registry %s is not reachable: %s — is it running, and is the address right?"
                                   % (endpoint["url"], text))


def _header(headers, name):
    """A response header by case-insensitive name (an HTTPMessage or a plain dict)."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def _origin(url):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def _bare(url):
    """``url`` without user info, query and fragment (what messages may show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = "[%s]" % host
    if parts.port:
        host += ":%d" % parts.port
    return "%s://%s%s" % (parts.scheme, host, parts.path)


def _ca_bundle(paths):
    """A private temporary file with the CA certificates of ``paths`` one after another (removed by the caller)."""
    handle, bundle = tempfile.mkstemp(prefix="containerd-runtime-ca-", suffix=".pem")
    try:
        with os.fdopen(handle, "wb") as out:
            for path in paths:
                with open(path, "rb") as source:
                    out.write(source.read().rstrip(b"\n") + b"\n")
    except (IOError, OSError) as exc:
        os.unlink(bundle)
        raise RegistryTLSError("cannot read the CA certificates %s: %s" % (", ".join(paths), exc))
    return bundle


def tls_message(where, detail):
    return ("the TLS certificate of registry %s is not trusted (%s): put its CA in hosts.toml under hosts_dir "
            "(ca = \"/path/ca.crt\"), or set skip_verify" % (where, detail))


# ---- ctr's registry failures ------------------------------------------------------------------------

_ADDRESS = re.compile(r"(?:[a-z]+://)?\S+:\d+\S*")  # URLs and host:port, whose digits are no status codes


def _names_status(text, *codes):
    """Whether ``text`` (addresses removed) names one of the HTTP status ``codes`` as a whole number."""
    text = _ADDRESS.sub(" ", text)
    return any(re.search(r"(?<!\d)%s(?!\d)" % code, text) for code in codes)


_REFUSED = ("connection refused", "no such host", "i/o timeout", "network is unreachable", "no route to host",
            "connection reset")


def registry_failure(error, ref, operation="pull"):
    """Turn a ctr failure of a pull/push into a registry error with a clear message (or return it as is)."""
    if isinstance(error, (DaemonUnavailable, DaemonTimeout)) or not isinstance(error, CollectionError):
        return error
    text = (error.stderr or error.message or "")
    lower = text.lower()
    detail = error.message
    where = ref.domain if hasattr(ref, "domain") else str(ref)
    args = (error.argv, error.rc, error.stderr)
    last = classify.ctr_message(text).lower()
    if _names_status(last, 401) or "unauthorized" in last or "authorization failed" in last:
        return RegistryAuthError("registry %s rejected the credentials for %s %s: check username and password (%s)"
                                 % (where, operation, ref, detail), *args)
    if "x509" in lower or "certificate" in lower or "tls:" in lower:
        return RegistryTLSError(tls_message(where, detail), *args)
    if "http: server gave http response to https client" in lower:
        return RegistryTLSError("registry %s speaks plain HTTP: set plain_http (%s)" % (where, detail), *args)
    if _names_status(lower, 401) or "unauthorized" in lower:
        return RegistryAuthError("registry %s rejected the credentials for %s %s: check username and password (%s)"
                                 % (where, operation, ref, detail), *args)
    if _names_status(lower, 403, 405) or "forbidden" in lower or "denied" in lower or "read-only" in lower \
            or "readonly" in lower or "unsupported" in lower or "method not allowed" in lower:
        return RegistryDenied("registry %s refused to %s %s (%s)" % (where, operation, ref, detail), *args)
    if any(marker in lower for marker in _REFUSED):
        return RegistryUnreachable("registry %s is not reachable while trying to %s %s — is it running, and is the "
                                   "address right? (%s)" % (where, operation, ref, detail), *args)
    if isinstance(error, PermissionDenied):
        return error
    if isinstance(error, NotFound) or "not found" in lower:
        return NotFound("%s: %s not found (%s)" % (operation, ref, detail), *args)
    return error
