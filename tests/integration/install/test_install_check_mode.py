# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_install in check mode: predicts install/upgrade/none, downloads and touches nothing."""
from harness.installed import reported_version


def snapshot(directory):
    return {path.name: (path.stat().st_mtime_ns, path.stat().st_size) for path in directory.iterdir()}


def test_check_mode_predicts_install_and_touches_nothing(install, root, mirror, versions, tmp_path):
    mark = mirror.mark()
    result = install(name="containerd", version=versions["1.7"], dest=str(root / "bin"), check=True)
    assert result["status"] == "changed", result
    assert result["actions"] == ["installed containerd %s" % versions["1.7"]]
    assert result["diff"]["before"]["version"] is None and result["diff"]["after"]["version"] == versions["1.7"]
    assert result["downloaded"] is False and result["copied"] is False
    assert not (root / "bin").exists()
    assert not (tmp_path / "cache").exists()
    assert mirror.gets("", since=mark) == 0


def test_check_mode_predicts_upgrade_and_none(install, root, mirror, versions):
    dest = root / "bin"
    install(name="containerd", version=versions["1.7"], dest=str(dest))
    before = snapshot(dest)
    mark = mirror.mark()
    upgrade = install(name="containerd", version=versions["2.x"], dest=str(dest), check=True)
    assert upgrade["status"] == "changed", upgrade
    assert upgrade["actions"] == ["upgraded containerd %s -> %s" % (versions["1.7"], versions["2.x"])]
    assert upgrade["diff"]["before"]["version"] == versions["1.7"]
    assert upgrade["diff"]["after"]["version"] == versions["2.x"]
    same = install(name="containerd", version=versions["1.7"], dest=str(dest), check=True)
    assert same["status"] == "ok" and same["actions"] == [], same
    absent = install(name="containerd", state="absent", dest=str(dest), check=True)
    assert absent["status"] == "changed" and absent["actions"][0].startswith("removed containerd"), absent
    assert snapshot(dest) == before
    assert mirror.gets("", since=mark) == 0
    assert versions["1.7"] in reported_version(dest / "containerd")
