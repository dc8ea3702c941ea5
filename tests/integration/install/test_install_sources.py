# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the release file comes from: three hosts sharing one download, the host itself, a local file."""
import hashlib

from harness.ansible import Ansible
from harness.images import ARCH
from harness.installed import reported_version

MODULE = "containerd.runtime.containerd_install"


def test_three_hosts_in_one_play_download_once(tmp_path, mirror, versions, archive_name):
    ansible = Ansible(tmp_path / "ansible")
    hosts = {"host%d" % n: {"install_dest": str(tmp_path / ("host%d" % n) / "bin")} for n in (1, 2, 3)}
    mark = mirror.mark()
    play = ansible.run([{"name": "install", MODULE: {
        "name": "containerd", "version": versions["2.x"], "mirror": mirror.url, "dest": "{{ install_dest }}",
        "cache_dir": str(tmp_path / "cache")}}], inventory=hosts)
    assert play.statuses() == ["changed"] * 3, play
    assert mirror.gets(archive_name("2.x"), since=mark) == 1
    assert mirror.gets(archive_name("2.x") + ".sha256sum", since=mark) == 1
    assert sorted(play[n]["downloaded"] for n in range(3)) == [False, False, True]
    assert all(play[n]["copied"] for n in range(3))
    for name in hosts:
        assert versions["2.x"] in reported_version(tmp_path / name / "bin" / "containerd")


def test_download_on_host_uses_ansibles_url_helpers(install, root, mirror, versions):
    mark = mirror.mark()
    result = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), download_on="host")
    assert result["status"] == "changed", result
    assert result["downloaded"] is True and result["copied"] is False and result["cache_path"] is None
    assert mirror.gets("runc." + ARCH, since=mark) == 1 and mirror.gets("runc.sha256sum", since=mark) == 1
    assert "runc version" in reported_version(root / "sbin" / "runc")
    again = install(name="runc", version=versions["runc"], dest=str(root / "sbin"), download_on="host")
    assert again["status"] == "ok" and again["downloaded"] is False, again


def test_air_gapped_from_a_local_file_with_a_pinned_checksum(install, root, mirror, versions, archive_name):
    path = mirror.root / mirror.path("containerd", versions["1.6"], archive_name("1.6")).lstrip("/")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    mark = mirror.mark()
    result = install(name="containerd", version=versions["1.6"], dest=str(root / "bin"), mirror=None,
                     url=str(path), checksum="sha256:" + digest)
    assert result["status"] == "changed", result
    assert result["downloaded"] is False and result["copied"] is True and result["cache_path"] is None
    assert result["checksum"] == "sha256:" + digest
    assert not result.get("warnings"), result
    assert mirror.gets("", since=mark) == 0
    assert versions["1.6"] in reported_version(root / "bin" / "containerd")
    file_url = install(name="containerd", version=versions["1.6"], dest=str(root / "bin"), mirror=None,
                       url="file://" + str(path))
    assert file_url["status"] == "ok", file_url
