# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Push an OCI image archive to a registry over plain HTTP (Docker registry API v2), standard library only.

Runs wherever Python 3 runs (the `fleet` scenario runs it on its registry host, beside the registry):

    python3 oci-push.py <oci archive> <registry URL> <repository> <tag>

Uploads the blobs the registry lacks (config and layers of the archive's first manifest), then puts the
manifest under <tag>. Prints JSON: {"changed": bool, "digest": "<manifest digest>"}; changed is false
when the tag already pointed at that manifest.
"""
import hashlib
import json
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _request(method, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _blob(archive, digest):
    return archive.extractfile("blobs/sha256/" + digest.split(":", 1)[1]).read()


def push(path, base, repository, tag):
    base = base.rstrip("/")
    with tarfile.open(path) as archive:
        index = json.loads(archive.extractfile("index.json").read())
        descriptor = index["manifests"][0]
        manifest = _blob(archive, descriptor["digest"])
        digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
        media_type = descriptor["mediaType"]
        status, headers, _body = _request("HEAD", "%s/v2/%s/manifests/%s" % (base, repository, tag),
                                          headers={"Accept": media_type})
        if status == 200 and headers.get("Docker-Content-Digest") == digest:
            return {"changed": False, "digest": digest}
        parsed = json.loads(manifest)
        for blob in [parsed["config"]] + parsed["layers"]:
            status, _headers, _body = _request("HEAD", "%s/v2/%s/blobs/%s" % (base, repository, blob["digest"]))
            if status == 200:
                continue
            status, headers, body = _request("POST", "%s/v2/%s/blobs/uploads/" % (base, repository))
            if status != 202:
                raise SystemExit("upload of %s refused: HTTP %s %s" % (blob["digest"], status, body[:200]))
            location = urllib.parse.urljoin(base + "/", headers["Location"])
            location += ("&" if "?" in location else "?") + urllib.parse.urlencode({"digest": blob["digest"]})
            status, _headers, body = _request("PUT", location, data=_blob(archive, blob["digest"]),
                                              headers={"Content-Type": "application/octet-stream"})
            if status != 201:
                raise SystemExit("upload of %s failed: HTTP %s %s" % (blob["digest"], status, body[:200]))
        status, _headers, body = _request("PUT", "%s/v2/%s/manifests/%s" % (base, repository, tag), data=manifest,
                                          headers={"Content-Type": media_type})
        if status != 201:
            raise SystemExit("manifest %s:%s refused: HTTP %s %s" % (repository, tag, status, body[:200]))
    return {"changed": True, "digest": digest}


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    json.dump(push(*sys.argv[1:]), sys.stdout)
    print()


if __name__ == "__main__":
    main()
