# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install robustness: URL credentials, unverified origins, malformed or hostile manifests, interrupted commits."""
import hashlib
import json
import os

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._install import release, staging
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ReleaseError

from test_install_converge import StubHost, bin_dir, params, release_archive, run


def test_userinfo_is_taken_out_of_a_url():
    assert release.split_userinfo("https://me:p%40ss@mirror:8443/x.tgz") == ("https://mirror:8443/x.tgz", "me", "p@ss")
    assert release.split_userinfo("https://mirror/x.tgz") == ("https://mirror/x.tgz", None, None)
    assert release.split_userinfo("/srv/x@y.tgz") == ("/srv/x@y.tgz", None, None)


@pytest.mark.parametrize("url, certs", [("http://mirror.example/x.tgz", True), ("https://mirror.example/x.tgz", False)])
def test_an_unverified_origin_without_a_pinned_checksum_is_refused(url, certs):
    with pytest.raises(ReleaseError, match="refusing to install .* without a pinned checksum"):
        release.refuse_unverified(url, certs, None, False)
    release.refuse_unverified(url, certs, ("sha256", "0" * 64), False)
    release.refuse_unverified(url, certs, None, True)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x.tgz", "http://localhost/x.tgz", "file:///x.tgz", "/x.tgz",
                                 "https://mirror.example/x.tgz"])
def test_loopback_local_and_verified_origins_need_no_pin(url):
    release.refuse_unverified(url, True, None, False)


@pytest.mark.parametrize("data, problem", [
    ({"version": "1.7.0", "files": [{"sha256": "x"}]}, "files[0].path must be an absolute path"),
    ({"version": "1.7.0", "files": ["/usr/bin/x"]}, "files[0] must be an object"),
    ({"version": "1.7.0", "files": [{"path": 5, "sha256": "x"}]}, "files[0].path must be an absolute path, got 5"),
    ({"version": 17, "files": []}, "version must be a string, got 17"),
    ([], "not a JSON object"),
])
def test_a_malformed_manifest_is_a_clear_error_naming_the_file(tmp_path, data, problem):
    path = tmp_path / ".containerd.runtime-containerd.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ReleaseError) as error:
        release.read_manifest(str(path))
    assert str(path) in str(error.value) and problem in str(error.value)


def test_absent_leaves_files_a_manifest_lists_outside_the_component_directories(tmp_path):
    archive, digest = release_archive(tmp_path)
    run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    victim = tmp_path / "etc" / "passwd"
    victim.parent.mkdir()
    victim.write_text("root:x:0:0")
    manifest_file = bin_dir(tmp_path) / ".containerd.runtime-containerd.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["files"].append({"path": str(victim), "sha256": "0" * 64})
    manifest_file.write_text(json.dumps(manifest))
    host = StubHost()
    result = run(params(tmp_path, state="absent", version=None), host=host)
    assert victim.exists() and str(victim) not in result["removed"]
    assert any("left alone: %s" % victim in warning for warning in host.warnings)


def test_a_killed_commit_is_rolled_back_by_the_next_run(tmp_path):
    (tmp_path / "old").mkdir()
    old, old_digest = release_archive(tmp_path / "old", version="2.1.3")
    run(params(tmp_path, version="2.1.3", archive=old, checksum="sha256:" + old_digest))
    dest = bin_dir(tmp_path)
    before = {name: (dest / name).read_text() for name in ("containerd", "ctr", "containerd-shim-runc-v2")}
    manifest_before = (dest / ".containerd.runtime-containerd.json").read_text()
    # what a kill after the first rename leaves: the backup link, the marker, one new file in place
    dirs = {"bin": str(dest)}
    stage = staging.Stage(dirs)
    stage.prepare()
    new = os.path.join(stage.stages["bin"], "containerd")
    with open(new, "w") as out:
        out.write("containerd github.com/containerd/containerd v2.1.4 x\n")
    backup = os.path.join(stage.stages["bin"], ".old-containerd")
    os.link(str(dest / "containerd"), backup)
    marker = staging.marker_path(str(dest / ".containerd.runtime-containerd.json"))
    with open(marker, "w") as out:
        json.dump({"manifest": {"version": "2.1.4", "files": []}, "moves": [[str(dest / "containerd"), backup]]}, out)
    os.rename(new, str(dest / "containerd"))
    host = StubHost()
    result = run(params(tmp_path, version="2.1.3", archive=old, checksum="sha256:" + old_digest), host=host)
    assert {name: (dest / name).read_text() for name in before} == before
    assert (dest / ".containerd.runtime-containerd.json").read_text() == manifest_before
    assert result["changed"] and "rolled back" in result["actions"][0]
    assert sorted(os.listdir(str(dest))) == [".containerd.runtime-containerd.json", "containerd",
                                             "containerd-shim-runc-v2", "ctr"]


def test_stale_staging_directories_are_swept(tmp_path):
    archive, digest = release_archive(tmp_path)
    run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    stale = bin_dir(tmp_path) / ".containerd-install-dead"
    stale.mkdir()
    (stale / "containerd").write_text("half")
    result = run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    assert not stale.exists() and result["actions"] == ["removed staging leftovers of an earlier run: %s" % stale]


def test_a_raw_file_named_as_it_installs_is_installed(tmp_path):
    runc = tmp_path / "runc"
    runc.write_text("runc version 1.3.0\n")
    digest = hashlib.sha256(runc.read_bytes()).hexdigest()
    result = run(params(tmp_path, name="runc", version="1.3.0", archive=str(runc), checksum="sha256:" + digest))
    assert result["changed"] and (tmp_path / "root" / "usr" / "local" / "sbin" / "runc").read_text() == runc.read_text()


def test_the_archive_is_copied_into_the_stage_before_it_is_verified(tmp_path, monkeypatch):
    archive, digest = release_archive(tmp_path)
    hashed = []
    original = release.file_digest

    def spy(path, algorithm="sha256"):
        hashed.append(path)
        return original(path, algorithm)
    monkeypatch.setattr(release, "file_digest", spy)
    run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    assert hashed and all(os.path.basename(os.path.dirname(path)).startswith(staging.STAGE_PREFIX) for path in hashed)


def test_a_symlinked_archive_is_refused(tmp_path):
    archive, digest = release_archive(tmp_path)
    link = tmp_path / "link.tar.gz"
    link.symlink_to(archive)
    with pytest.raises(ReleaseError, match="does not exist on the host .or is a symbolic link."):
        run(params(tmp_path, archive=str(link), checksum="sha256:" + digest))


def test_the_action_moves_url_credentials_out_of_the_module_arguments():
    from ansible_collections.containerd.runtime.plugins.action.containerd_install import without_url_credentials
    args = without_url_credentials({"name": "runc", "mirror": "https://me:secret@mirror.example/gh"})
    assert args == {"name": "runc", "mirror": "https://mirror.example/gh", "url_username": "me",
                    "url_password": "secret"}
