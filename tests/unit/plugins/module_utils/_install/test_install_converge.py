# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge code of containerd_install on a real file system, with the host's processes and downloads
stubbed: a binary's --version answers with the text the fake binary holds."""
import copy
import hashlib
import io
import os
import stat
import tarfile

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._install import converge
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    InvalidReleaseOptions,
    ReleaseError,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext

NAME = "containerd-2.1.4-linux-amd64.tar.gz"


class StubHost(object):
    """Stands in for staging.ModuleHost: ``--version`` prints the binary's own content; no download happens."""

    def __init__(self):
        self.runs = []
        self.warnings = []

    def run(self, argv, env=None):
        self.runs.append(argv)
        with open(argv[0]) as binary:
            return 0, binary.read(), ""

    def fetch(self, url, timeout):
        raise AssertionError("no download in unit tests: %s" % url)

    def warn(self, message):
        self.warnings.append(message)


def release_archive(directory, version="2.1.4", names=("containerd", "ctr", "containerd-shim-runc-v2")):
    """An upstream-shaped containerd archive whose binaries report ``version``, and its .sha256sum file."""
    path = os.path.join(str(directory), NAME.replace("2.1.4", version))
    with tarfile.open(path, "w:gz") as tar:
        for name in names:
            data = ("containerd github.com/containerd/containerd v%s deadbeef\n" % version).encode()
            member = tarfile.TarInfo("bin/" + name)
            member.size = len(data)
            member.mode = 0o755
            tar.addfile(member, io.BytesIO(data))
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    with open(path + ".sha256sum", "w") as sums:
        sums.write("%s  %s\n" % (digest, os.path.basename(path)))
    return path, digest


def params(tmp_path, **options):
    values = dict(name="containerd", version="2.1.4", state="present", arch="amd64", prefix=str(tmp_path / "root"),
                  dest=None, bundle=None, url=None, mirror=None, checksum=None, download_on="controller",
                  cache_dir=None, archive=None, timeout=60, retries=3, validate_certs=True)
    values.update(options)
    return values


def run(values, host=None, check_mode=False):
    return converge.converge(values, converge.resolve(values), host or StubHost(),
                             RunContext(check_mode=check_mode, diff=True))


def bin_dir(tmp_path):
    return tmp_path / "root" / "usr" / "local" / "bin"


@pytest.mark.parametrize("options, message", [
    (dict(version=None), "version is required with state: present"),
    (dict(timeout=0), "timeout must be a positive number of seconds, got 0"),
    (dict(retries=-1), "retries must not be negative, got -1"),
    (dict(dest="relative/bin"), "dest must be an absolute path, got relative/bin"),
])
def test_resolve_rejects_options_that_cannot_work_naming_the_option(tmp_path, options, message):
    with pytest.raises(InvalidReleaseOptions) as caught:
        converge.resolve(params(tmp_path, **options))
    assert caught.value.message == message


def test_resolve_names_the_component_version_arch_and_directories(tmp_path):
    target = converge.resolve(params(tmp_path, version="v2.1.4", arch="x86_64"))
    assert (target.key, target.version, target.arch) == ("containerd", "2.1.4", "amd64")
    assert target.dirs == {"bin": str(bin_dir(tmp_path))}


def test_a_bad_version_is_a_release_error(tmp_path):
    with pytest.raises(ReleaseError, match="is not a release version"):
        converge.resolve(params(tmp_path, version="latest"))


def test_without_an_archive_the_controller_is_asked_to_download_and_nothing_is_written(tmp_path):
    result = run(params(tmp_path))
    assert result["needs_archive"] is True and result["actions"] == ["installed containerd 2.1.4"]
    assert result["url"].endswith("/v2.1.4/" + NAME)
    assert not (tmp_path / "root").exists()


def test_check_mode_predicts_the_install_and_touches_nothing(tmp_path):
    result = run(params(tmp_path), check_mode=True)
    assert result["changed"] and "needs_archive" not in result
    assert result["diff"] == {"before": {"version": None, "files": []}, "after": {"version": "2.1.4", "files": []}}
    assert not (tmp_path / "root").exists()


def test_an_archive_with_a_pinned_checksum_is_installed_with_a_manifest(tmp_path):
    archive, digest = release_archive(tmp_path)
    host = StubHost()
    result = run(params(tmp_path, archive=archive, checksum="sha256:" + digest), host)
    installed = sorted(os.listdir(str(bin_dir(tmp_path))))
    assert installed == [".containerd.runtime-containerd.json", "containerd", "containerd-shim-runc-v2", "ctr"]
    assert stat.S_IMODE(os.stat(str(bin_dir(tmp_path) / "containerd")).st_mode) == 0o755
    manifest = bin_dir(tmp_path) / ".containerd.runtime-containerd.json"
    assert stat.S_IMODE(os.stat(str(manifest)).st_mode) == 0o644
    assert result["changed"] and result["checksum"] == "sha256:" + digest and result["version"] == "2.1.4"
    assert [entry["path"] for entry in result["files"]] == [str(bin_dir(tmp_path) / name) for name in installed[1:]]
    assert result["downloaded"] is False and host.warnings == []


def test_a_checksum_read_beside_the_archive_warns_that_it_comes_from_the_same_origin(tmp_path):
    archive, digest = release_archive(tmp_path)
    host = StubHost()
    run(params(tmp_path, archive=archive), host)
    (warning,) = host.warnings
    assert "same origin" in warning and warning.endswith("checksum: sha256:%s" % digest)


def test_a_second_run_with_the_same_version_changes_nothing(tmp_path):
    archive, digest = release_archive(tmp_path)
    run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    result = run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    assert (result["changed"], result["actions"]) == (False, [])
    assert result["previous_version"] == "2.1.4"


def test_a_file_changed_outside_ansible_is_reinstalled(tmp_path):
    archive, digest = release_archive(tmp_path)
    run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    (bin_dir(tmp_path) / "ctr").write_text("tampered")
    result = run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    assert result["actions"] == ["reinstalled (changed outside Ansible: %s) containerd 2.1.4"
                                 % (bin_dir(tmp_path) / "ctr")]


def test_a_newer_version_is_an_upgrade(tmp_path):
    old, old_digest = release_archive(tmp_path, "1.7.24")
    run(params(tmp_path, version="1.7.24", archive=old, checksum="sha256:" + old_digest))
    new, digest = release_archive(tmp_path)
    result = run(params(tmp_path, archive=new, checksum="sha256:" + digest))
    assert result["actions"] == ["upgraded containerd 1.7.24 -> 2.1.4"]
    assert result["diff"]["before"]["version"] == "1.7.24" and result["diff"]["after"]["version"] == "2.1.4"


def test_a_checksum_mismatch_installs_nothing(tmp_path):
    archive, _digest = release_archive(tmp_path)
    with pytest.raises(ReleaseError, match="checksum mismatch"):
        run(params(tmp_path, archive=archive, checksum="sha256:" + "0" * 64))
    assert os.listdir(str(bin_dir(tmp_path))) == []


def test_absent_removes_exactly_what_the_manifest_lists(tmp_path):
    archive, digest = release_archive(tmp_path)
    run(params(tmp_path, archive=archive, checksum="sha256:" + digest))
    (bin_dir(tmp_path) / "mine").write_text("not ours")
    result = run(params(tmp_path, state="absent", version=None))
    assert result["actions"] == ["removed containerd 2.1.4 (3 files)"] and len(result["removed"]) == 3
    assert os.listdir(str(bin_dir(tmp_path))) == ["mine"]


def test_converge_never_changes_the_params_it_is_given(tmp_path):
    archive, digest = release_archive(tmp_path)
    values = params(tmp_path, archive=archive, checksum="sha256:" + digest)
    before = copy.deepcopy(values)
    run(values)
    assert values == before
