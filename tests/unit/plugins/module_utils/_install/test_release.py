# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
import json

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._install import release
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ReleaseError

HEX = "a" * 64


@pytest.mark.parametrize("name, arch, expected", [
    ("containerd", "amd64",
     "https://github.com/containerd/containerd/releases/download/v1.7.24/containerd-1.7.24-linux-amd64.tar.gz"),
    ("runc", "arm64", "https://github.com/opencontainers/runc/releases/download/v1.1.5/runc.arm64"),
    ("runc", "arm", "https://github.com/opencontainers/runc/releases/download/v1.1.5/runc.armhf"),
    ("cni_plugins", "amd64",
     "https://github.com/containernetworking/plugins/releases/download/v1.1.1/cni-plugins-linux-amd64-v1.1.1.tgz"),
    ("crictl", "amd64",
     "https://github.com/kubernetes-sigs/cri-tools/releases/download/v1.30.0/crictl-v1.30.0-linux-amd64.tar.gz"),
    ("nerdctl", "arm64",
     "https://github.com/containerd/nerdctl/releases/download/v2.0.3/nerdctl-2.0.3-linux-arm64.tar.gz"),
])
def test_upstream_urls(name, arch, expected):
    version = {"containerd": "1.7.24", "runc": "1.1.5", "cni_plugins": "1.1.1", "crictl": "1.30.0",
               "nerdctl": "2.0.3"}[name]
    assert release.release_url(name, version, arch) == expected


def test_cri_bundle_url_and_its_checksum_file():
    url = release.release_url("containerd", "1.7.24", "amd64", bundle="cri")
    assert url.endswith("/v1.7.24/cri-containerd-1.7.24-linux-amd64.tar.gz")
    assert release.checksum_url("cri", url) == url + ".sha256sum"


def test_mirror_replaces_github_and_nothing_else():
    url = release.release_url("containerd", "2.1.4", "amd64", mirror="http://127.0.0.1:8080/gh/")
    assert url == ("http://127.0.0.1:8080/gh/containerd/containerd/releases/download/v2.1.4/"
                   "containerd-2.1.4-linux-amd64.tar.gz")


@pytest.mark.parametrize("key, url, expected", [
    ("containerd", "http://m/x/containerd-1.7.24-linux-amd64.tar.gz",
     "http://m/x/containerd-1.7.24-linux-amd64.tar.gz.sha256sum"),
    ("runc", "http://m/x/runc.amd64", "http://m/x/runc.sha256sum"),
    ("cni_plugins", "http://m/x/cni-plugins-linux-amd64-v1.1.1.tgz",
     "http://m/x/cni-plugins-linux-amd64-v1.1.1.tgz.sha256"),
    ("crictl", "/srv/crictl-v1.30.0-linux-amd64.tar.gz", "/srv/crictl-v1.30.0-linux-amd64.tar.gz.sha256"),
    ("nerdctl", "file:///srv/nerdctl-2.0.3-linux-amd64.tar.gz", "file:///srv/SHA256SUMS"),
])
def test_checksum_file_locations(key, url, expected):
    assert release.checksum_url(key, url) == expected


def test_checksum_file_formats():
    name = "containerd-1.7.24-linux-amd64.tar.gz"
    assert release.parse_checksum_file("%s  %s\n" % (HEX, name), name) == ("sha256", HEX)
    listing = "%s  runc.arm64\n%s *runc.amd64\n%s  runc.tar.xz\n" % ("b" * 64, HEX, "c" * 64)
    assert release.parse_checksum_file(listing, "runc.amd64") == ("sha256", HEX)
    assert release.parse_checksum_file(HEX + "\n", "crictl-v1.30.0-linux-amd64.tar.gz") == ("sha256", HEX)
    sha512 = "d" * 128
    assert release.parse_checksum_file("%s  ./cni.tgz\n" % sha512, "cni.tgz") == ("sha512", sha512)
    assert release.parse_checksum_file("SHA256 (x.tgz) = %s\n" % HEX.upper(), "x.tgz") == ("sha256", HEX)
    with pytest.raises(ReleaseError, match="does not list runc.s390x"):
        release.parse_checksum_file(listing, "runc.s390x")
    with pytest.raises(ReleaseError):
        release.parse_checksum_file("<html>Not Found</html>", "runc.amd64")


def test_pinned_checksums():
    assert release.parse_pinned(None) is None
    assert release.parse_pinned("sha256:" + HEX.upper()) == ("sha256", HEX)
    for bad in ("md5:abc", HEX, "sha256:abc", "sha512:" + HEX):
        with pytest.raises(ReleaseError):
            release.parse_pinned(bad)


def test_versions():
    assert release.normalize_version("v1.7.24") == "1.7.24"
    assert release.normalize_version("2.0.0-rc.1") == "2.0.0-rc.1"
    for bad in ("latest", "1.7", "", None, "1.7.24; rm -rf /"):
        with pytest.raises(ReleaseError):
            release.normalize_version(bad)
    assert release.version_key("2.0.0-rc.1") < release.version_key("2.0.0") < release.version_key("2.0.1")
    assert release.version_key("1.10.0") > release.version_key("1.9.9")


@pytest.mark.parametrize("output, expected", [
    ("containerd github.com/containerd/containerd v1.7.24 88bf19b2105c8b17560993bee28a01ddc2f97182\n", "1.7.24"),
    ("containerd github.com/containerd/containerd 1.7.24~ds1 1.7.24~ds1-6+deb13u1\n", "1.7.24"),
    ("containerd github.com/containerd/containerd/v2 2.1.9+unknown \n", "2.1.9"),
    ("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n", "1.1.5"),
    ("crictl version v1.30.0\n", "1.30.0"),
    ("nerdctl version 2.0.3\n", "2.0.3"),
    ("CNI loopback plugin v1.5.1\nCNI protocol versions supported: 0.1.0, 1.0.0\n", "1.5.1"),
    ("CNI loopback plugin version unknown\nCNI protocol versions supported: 0.1.0, 0.2.0\n", None),
    ("", None),
])
def test_reported_versions(output, expected):
    assert release.reported_version(output) == expected


def test_same_version_ignores_debian_suffixes():
    assert release.same_version("1.7.24~ds1", "1.7.24")
    assert release.same_version("2.1.9+unknown", "2.1.9")
    assert release.same_version(None, "2.1.9")
    assert not release.same_version("1.7.23", "1.7.24")


def test_arches():
    assert release.normalize_arch("x86_64") == "amd64"
    assert release.normalize_arch("aarch64") == "arm64"
    assert release.normalize_arch("ARM64") == "arm64"
    with pytest.raises(ReleaseError, match="unknown arch 'sparc64'"):
        release.normalize_arch("sparc64")


def test_components_and_bundles():
    assert release.component_key("containerd", "cri") == "cri"
    with pytest.raises(ReleaseError, match="only available for name: containerd"):
        release.component_key("runc", "cri")
    with pytest.raises(ReleaseError, match="unknown component"):
        release.component_key("cri", None)


def test_directories_follow_upstream_below_the_prefix():
    assert release.role_dirs("containerd") == {"bin": "/usr/local/bin"}
    assert release.role_dirs("runc", "/x") == {"sbin": "/x/usr/local/sbin"}
    assert release.role_dirs("cni_plugins", dest="/cni") == {"cni": "/cni"}
    assert release.role_dirs("cri", "/r", "/b") == {"bin": "/b", "sbin": "/r/usr/local/sbin", "cni": "/r/opt/cni/bin"}


def test_member_selection():
    chosen, missing = release.select_members("containerd", [
        "bin/containerd", "bin/ctr", "bin/containerd-shim-runc-v2", "bin/../../etc/passwd", "/bin/evil/x",
        "README.md"])
    assert chosen == {"bin/containerd": ("bin", "containerd"), "bin/ctr": ("bin", "ctr"),
                      "bin/containerd-shim-runc-v2": ("bin", "containerd-shim-runc-v2")}
    assert missing == []
    chosen, missing = release.select_members("cni_plugins", ["./bridge", "./LICENSE", "./README.md", "./loopback"])
    assert chosen == {"./bridge": ("cni", "bridge"), "./loopback": ("cni", "loopback")}
    assert missing == ["host-local (cni)"]
    chosen, missing = release.select_members("cri", ["usr/local/bin/crictl", "etc/crictl.yaml"])
    assert chosen == {"usr/local/bin/crictl": ("bin", "crictl")}
    assert "runc (sbin)" in missing and "containerd (bin)" in missing


def test_a_cri_bundle_without_cni_plugins_is_complete():
    """containerd 1.6's Makefile packs opt/cni into the cri-containerd-cni archive only."""
    chosen, missing = release.select_members("cri", [
        "usr/local/bin/containerd", "usr/local/bin/ctr", "usr/local/bin/containerd-shim-runc-v2",
        "usr/local/sbin/runc", "etc/crictl.yaml", "etc/systemd/system/containerd.service"])
    assert missing == []
    assert sorted(chosen.values()) == [("bin", "containerd"), ("bin", "containerd-shim-runc-v2"), ("bin", "ctr"),
                                       ("sbin", "runc")]


def test_manifest_round_trip(tmp_path):
    path = release.manifest_path("containerd", {"bin": str(tmp_path)})
    assert path == str(tmp_path / ".containerd.runtime-containerd.json")
    assert release.read_manifest(path) is None
    manifest = release.make_manifest("containerd", "1.7.24", "amd64", "http://m/x.tar.gz", HEX,
                                     {str(tmp_path / "ctr"): "b" * 64, str(tmp_path / "containerd"): HEX})
    release.write_manifest(path, manifest)
    assert release.read_manifest(path) == manifest
    assert [entry["path"] for entry in manifest["files"]] == sorted(manifest_path["path"]
                                                                    for manifest_path in manifest["files"])
    assert [name for name in (p.name for p in tmp_path.iterdir()) if name.startswith(".manifest-")] == []
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ReleaseError, match="not valid JSON"):
        release.read_manifest(str(tmp_path / "bad.json"))
    (tmp_path / "other.json").write_text(json.dumps({"name": "x"}))
    with pytest.raises(ReleaseError, match="other.json is malformed"):
        release.read_manifest(str(tmp_path / "other.json"))
