# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Download URLs: their credentials are never reported or stored; unverified origins need a pin; a raw binary
served under its install name installs."""
import hashlib
import json
import shutil

import pytest

from harness.assertions import assert_clean_failure

SECRET = "s3cr3t-mirror-pw"


@pytest.mark.parametrize("download_on", ["controller", "host"])
def test_credentials_in_the_mirror_url_appear_nowhere(ansible, install, mirror, root, versions, download_on):
    authed = mirror.url.replace("http://", "http://deploy:%s@" % SECRET)
    play = ansible.run([{"containerd.runtime.containerd_install": {
        "name": "runc", "version": versions["runc"], "dest": str(root / "sbin"), "mirror": authed,
        "download_on": download_on, "cache_dir": str(root.parent / "cache")}}], verbosity=3)
    assert play.status(0) == "changed", play[0]
    assert SECRET not in play.stdout and SECRET not in play.stderr and SECRET not in json.dumps(play[0])
    assert play[0]["url"].startswith(mirror.url)
    manifest = (root / "sbin" / ".containerd.runtime-runc.json").read_text()
    assert SECRET not in manifest and "deploy@" not in manifest


@pytest.mark.parametrize("download_on", ["controller", "host"])
def test_plain_http_from_another_host_without_a_pin_is_refused(install, root, versions, download_on):
    result = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), mirror="http://192.0.2.1",
                     download_on=download_on)
    assert_clean_failure(result, "refusing to install", "without a pinned checksum", "allow_unverified")
    assert not (root / "sbin" / "runc").exists()


def test_a_raw_binary_served_under_its_install_name_installs(install, mirror, root, versions, tmp_path):
    served = tmp_path / "files" / "runc"
    served.parent.mkdir()
    shutil.copyfile(str(mirror.root / mirror.path("runc", versions["runc"], "runc.amd64").lstrip("/")), str(served))
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    result = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), mirror=None, url=str(served),
                     checksum="sha256:" + digest, download_on="host")
    assert result["status"] == "changed", result
    assert hashlib.sha256((root / "sbin" / "runc").read_bytes()).hexdigest() == digest


TOKEN = "t0ken-of-the-mirror"


def _header(entry, name):
    return next((value for key, value in entry["headers"].items() if key.lower() == name.lower()), None)


@pytest.fixture
def redirect(mirror):
    """``redirect(path, location)``: the mirror answers ``path`` on its primary origin with a 302 to ``location``.
    Undone after the test."""
    paths = []

    def add(path, location):
        mirror.redirects[path] = location
        paths.append(path)
    yield add
    for path in paths:
        mirror.redirects.pop(path, None)


@pytest.mark.parametrize("download_on", ["controller", "host"])
def test_url_headers_reach_the_origin_but_not_a_redirect_target_on_another_origin(install, mirror, root, versions,
                                                                                  redirect, download_on):
    path = mirror.path("runc", versions["runc"], "runc.amd64")
    redirect(path, mirror.other_origin + path)
    since = mirror.mark()
    result = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), download_on=download_on,
                     url_username="deploy", url_password=SECRET, url_headers={"X-Mirror-Token": TOKEN})
    assert result["status"] == "changed", result
    hops = [entry for entry in mirror.requests(since) if entry["path"] == path]
    origin = [entry for entry in hops if entry["status"] == 302]
    target = [entry for entry in hops if entry["status"] == 200]
    assert origin and target, hops
    assert all(_header(entry, "X-Mirror-Token") == TOKEN and _header(entry, "Authorization") for entry in origin)
    assert all(_header(entry, "Host").startswith("localhost:") for entry in target)
    assert [entry["headers"] for entry in target
            if _header(entry, "X-Mirror-Token") is not None or _header(entry, "Authorization") is not None] == []


@pytest.mark.parametrize("download_on", ["controller", "host"])
def test_url_headers_follow_a_redirect_within_the_origin(install, mirror, root, versions, redirect, download_on):
    path = mirror.path("runc", versions["runc"], "runc.amd64")
    digest = hashlib.sha256((mirror.root / path.lstrip("/")).read_bytes()).hexdigest()
    redirect("/moved/runc.amd64", mirror.url + path)
    since = mirror.mark()
    result = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), download_on=download_on,
                     mirror=None, url=mirror.url + "/moved/runc.amd64", checksum="sha256:" + digest,
                     url_headers={"X-Mirror-Token": TOKEN})
    assert result["status"] == "changed", result
    target = [entry for entry in mirror.requests(since) if entry["path"] == path]
    assert target and all(_header(entry, "X-Mirror-Token") == TOKEN for entry in target), target


@pytest.mark.parametrize("download_on", ["controller", "host"])
def test_url_headers_appear_nowhere(ansible, mirror, root, versions, download_on):
    cache = root.parent / "cache"
    play = ansible.run([{"containerd.runtime.containerd_install": {
        "name": "runc", "version": versions["runc"], "dest": str(root / "sbin"), "mirror": mirror.url,
        "url_headers": {"X-Mirror-Token": TOKEN}, "download_on": download_on, "cache_dir": str(cache)}}],
        verbosity=3, diff=True)
    assert play.status(0) == "changed", play[0]
    assert TOKEN not in play.stdout and TOKEN not in play.stderr and TOKEN not in json.dumps(play[0])
    stored = [path for base in (root, cache) if base.exists() for path in base.rglob("*")
              if path.is_file() and TOKEN.encode() in path.read_bytes()]
    assert stored == []


@pytest.mark.parametrize("headers, fragment", [
    (["X-Mirror-Token", TOKEN], "url_headers"),
    ({"X-Mirror-Token": 12345}, "url_headers: the value of X-Mirror-Token must be a string"),
    ({"X-Mirror-Token: " + TOKEN: "x"}, "url_headers: a header name is not an HTTP header name"),
    ({"X-Mirror\r\nX-Injected": TOKEN}, "url_headers: a header name is not an HTTP header name"),
    ({"X-Mirror-Token": TOKEN + "\r\nX-Injected: 1"}, "url_headers: the value of X-Mirror-Token holds a CR, LF"),
], ids=["list", "int-value", "colon-in-name", "crlf-in-name", "crlf-in-value"])
def test_bad_url_headers_fail_naming_the_option_without_showing_them(install, root, versions, headers, fragment):
    result = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), url_headers=headers)
    assert_clean_failure(result, fragment)
    assert TOKEN not in json.dumps(result)
    assert not (root / "sbin" / "runc").exists()


def test_the_runc_role_sends_runc_url_headers_and_shows_them_nowhere(ansible, mirror, root, versions):
    since = mirror.mark()
    play = ansible.run([], roles=[{"role": "containerd.runtime.runc"}], play_vars={
        "runc_version": versions["runc"], "runc_mirror": mirror.url, "runc_bin_dir": str(root / "sbin"),
        "runc_url_headers": {"X-Mirror-Token": TOKEN}, "runc_download_on": "host"}, verbosity=3)  # no controller cache
    assert play.rc == 0, play
    assert (root / "sbin" / "runc").is_file()
    fetched = [entry for entry in mirror.requests(since) if entry["path"].endswith("/runc.amd64")]
    assert fetched and all(_header(entry, "X-Mirror-Token") == TOKEN for entry in fetched), fetched
    assert TOKEN not in play.stdout and TOKEN not in play.stderr and TOKEN not in json.dumps(play.records)
