# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_install from the loopback release mirror: install, re-run, upgrade, downgrade, runc, CNI, bundle."""
import json
import shutil
import subprocess

from harness import binaries
from harness.images import ARCH
from harness.installed import reported_version, server_version, staging_leftovers


def paths(result):
    return sorted(entry["path"] for entry in result["files"])


def test_install_rerun_upgrade_downgrade_each_version_starts(install, root, mirror, versions, archive_name):
    dest = root / "bin"
    mark = mirror.mark()
    first = install(name="containerd", version=versions["1.7"], dest=str(dest))
    assert first["status"] == "changed", first
    assert first["actions"] == ["installed containerd %s" % versions["1.7"]]
    assert first["downloaded"] is True and first["copied"] is True
    assert first["cache_path"].endswith(archive_name("1.7"))
    assert first["previous_version"] is None and first["version"] == versions["1.7"]
    assert first["diff"] == {"before": {"version": None, "files": []},
                             "after": {"version": versions["1.7"], "files": paths(first)}}
    assert str(dest / "containerd") in paths(first) and str(dest / "containerd-shim-runc-v2") in paths(first)
    assert any("same origin" in warning for warning in first.get("warnings", [])), first
    assert mirror.gets(archive_name("1.7"), since=mark) == 1
    manifest = json.loads((dest / ".containerd.runtime-containerd.json").read_text())
    assert manifest["version"] == versions["1.7"] and manifest["arch"] == ARCH
    assert sorted(entry["path"] for entry in manifest["files"]) == paths(first)
    assert versions["1.7"] in reported_version(dest / "containerd")
    assert server_version("1.7", dest).startswith(versions["1.7"])

    mark = mirror.mark()
    again = install(name="containerd", version=versions["1.7"], dest=str(dest))
    assert again["status"] == "ok", again
    assert again["downloaded"] is False and again["copied"] is False and again["actions"] == []
    assert mirror.gets("", since=mark) == 0  # nothing asked of the mirror at all

    upgrade = install(name="containerd", version="v" + versions["2.x"], dest=str(dest))
    assert upgrade["status"] == "changed", upgrade
    assert upgrade["actions"] == ["upgraded containerd %s -> %s" % (versions["1.7"], versions["2.x"])]
    assert upgrade["diff"]["before"]["version"] == versions["1.7"]
    assert upgrade["diff"]["after"]["version"] == versions["2.x"]
    # 2.x has no containerd-shim / runc-v1 shim: what the 1.7 manifest listed and 2.x lacks is removed
    assert sorted(upgrade["removed"]) == [str(dest / "containerd-shim"), str(dest / "containerd-shim-runc-v1")]
    assert not (dest / "containerd-shim").exists()
    assert server_version("2.x", dest).startswith(versions["2.x"])

    downgrade = install(name="containerd", version=versions["1.6"], dest=str(dest))
    assert downgrade["status"] == "changed", downgrade
    assert downgrade["actions"] == ["downgraded containerd %s -> %s" % (versions["2.x"], versions["1.6"])]
    assert server_version("1.6", dest).startswith(versions["1.6"])
    assert staging_leftovers(dest) == []


def test_a_binary_changed_outside_ansible_is_reinstalled_from_the_cache(install, root, mirror, versions,
                                                                        archive_name):
    dest = root / "bin"
    install(name="containerd", version=versions["2.x"], dest=str(dest))
    (dest / "ctr").write_bytes(b"#!/bin/sh\necho not ctr\n")
    mark = mirror.mark()
    result = install(name="containerd", version=versions["2.x"], dest=str(dest))
    assert result["status"] == "changed", result
    assert "changed outside Ansible: %s" % (dest / "ctr") in result["actions"][0]
    assert result["downloaded"] is False and result["copied"] is True  # from the controller's cache
    assert mirror.gets(archive_name("2.x"), since=mark) == 0
    assert versions["2.x"] in reported_version(dest / "ctr")
    assert install(name="containerd", version=versions["2.x"], dest=str(dest))["status"] == "ok"


def test_runc_is_installed_verified_and_idempotent(install, root, versions):
    result = install(name="runc", version=versions["runc"], prefix=str(root))
    assert result["status"] == "changed", result
    runc = root / "usr/local/sbin/runc"
    assert paths(result) == [str(runc)]
    assert "runc version %s" % versions["runc"] in reported_version(runc)
    again = install(name="runc", version=versions["runc"], prefix=str(root))
    assert again["status"] == "ok" and again["copied"] is False, again


def test_cni_plugins_with_a_pinned_sha512(install, root, mirror, versions):
    version = versions["cni_plugins"]
    name = "cni-plugins-linux-%s-v%s.tgz" % (ARCH, version)
    sha512 = (mirror.root / mirror.path("cni_plugins", version, name + ".sha512").lstrip("/")).read_text().split()[0]
    mark = mirror.mark()
    result = install(name="cni_plugins", version=version, prefix=str(root), checksum="sha512:" + sha512)
    assert result["status"] == "changed", result
    cni = root / "opt/cni/bin"
    assert {"bridge", "loopback", "host-local", "portmap"} <= {p.rsplit("/", 1)[1] for p in paths(result)}
    assert not (cni / "LICENSE").exists()
    assert mirror.gets(".sha256", since=mark) == 0 and mirror.gets(".sha512", since=mark) == 0  # pinned
    assert "CNI loopback plugin" in reported_version(cni / "loopback")
    # the plugin speaks CNI: asked for its version over the CNI protocol it answers JSON
    proc = subprocess.run([str(cni / "loopback")], env={"CNI_COMMAND": "VERSION"}, input="{}",
                          capture_output=True, text=True, timeout=30, check=True)
    assert "supportedVersions" in proc.stdout
    assert install(name="cni_plugins", version=version, prefix=str(root))["status"] == "ok"


def test_cri_bundle_installs_containerd_runc_and_cni_plugins(install, root, versions):
    result = install(name="containerd", bundle="cri", version=versions["1.7"], prefix=str(root))
    assert result["status"] == "changed", result
    assert result["actions"] == ["installed containerd (cri bundle) %s" % versions["1.7"]]
    installed = paths(result)
    assert str(root / "usr/local/bin/containerd") in installed
    assert str(root / "usr/local/sbin/runc") in installed
    assert str(root / "opt/cni/bin/bridge") in installed
    assert not (root / "etc").exists()  # configuration files are not this module's business
    assert "runc version %s" % versions["runc"] in reported_version(root / "usr/local/sbin/runc")
    assert server_version("1.7", root / "usr/local/bin").startswith(versions["1.7"])
    assert install(name="containerd", bundle="cri", version=versions["1.7"], prefix=str(root))["status"] == "ok"


def test_state_absent_removes_exactly_the_manifest_files(install, root, versions):
    dest = root / "bin"
    installed = install(name="containerd", version=versions["2.x"], dest=str(dest))
    (dest / "mine").write_text("not installed by ansible\n")
    removed = install(name="containerd", state="absent", dest=str(dest))
    assert removed["status"] == "changed", removed
    assert sorted(removed["removed"]) == paths(installed)
    assert removed["diff"]["after"] == {"version": None, "files": []}
    assert sorted(p.name for p in dest.iterdir()) == ["mine"]
    assert install(name="containerd", state="absent", dest=str(dest))["status"] == "ok"


def test_binaries_installed_by_hand_are_replaced_and_reported(install, root, versions):
    dest = root / "bin"
    dest.mkdir()
    by_hand = binaries.containerd_bin_dir("1.6")
    for name in ("containerd", "ctr"):
        shutil.copy2(by_hand / name, dest / name)
    check, result, _check_again, _again = converged = install.converge(
        name="containerd", version=versions["1.7"], dest=str(dest),
        observe=lambda: reported_version(dest / "containerd"))
    assert check["previous_version"] == versions["1.6"], check
    assert versions["1.6"] in converged.before
    assert result["actions"] == ["installed containerd %s over %s, which was installed without a manifest"
                                 % (versions["1.7"], versions["1.6"])]
    assert versions["1.7"] in converged.after
