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
