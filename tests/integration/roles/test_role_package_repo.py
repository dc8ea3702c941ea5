# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The containerd role's dnf/yum repository step (tasks_from: package_repo, what install_package runs first)
on this Debian host: the repository directory pointed into tmp, the package manager set to dnf. A
docker-ce.repo as the operator guide fetches it (its own [docker-ce-stable]) is used; no second repo is added.
"""
import configparser

import pytest

from harness.ansible import Ansible

ROLE = "containerd.runtime.containerd"
GUIDE_REPO = ("[docker-ce-stable]\nname=Docker CE Stable - $basearch\n"
              "baseurl=https://mirrors.example.invalid/docker-ce/linux/centos/$releasever/$basearch/stable\n"
              "enabled=1\ngpgcheck=1\ngpgkey=https://mirrors.example.invalid/docker-ce/linux/centos/gpg\n\n"
              "[docker-ce-test]\nname=Docker CE Test - $basearch\nbaseurl=https://mirrors.example.invalid/test\n"
              "enabled=0\n")


@pytest.fixture
def repo_play(tmp_path):
    repos = tmp_path / "yum.repos.d"
    repos.mkdir()
    ansible = Ansible(tmp_path / "ansible")

    def play(check=False, pkg_mgr="dnf"):
        task = {"name": "repo step", "ansible.builtin.include_role": {"name": ROLE, "tasks_from": "package_repo"}}
        return ansible.run([task], check=check, ignore_errors=False,
                           play_vars={"containerd_package_repo_dir": str(repos), "containerd_package_manager": pkg_mgr})
    play.repos = repos
    return play


def ids(repos):
    """{repo id: [files defining it]} over every .repo file."""
    found = {}
    for path in sorted(repos.glob("*.repo")):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path)
        for section in parser.sections():
            found.setdefault(section, []).append(path.name)
    return found


def task(play, suffix):
    return next(record for record in play.records if record["task"].endswith(suffix))


def test_an_existing_docker_ce_repo_is_used_and_no_second_repo_is_added(repo_play):
    (repo_play.repos / "docker-ce.repo").write_text(GUIDE_REPO)
    play = repo_play()
    assert play.rc == 0, play
    assert ids(repo_play.repos)["docker-ce-stable"] == ["docker-ce.repo"]
    assert (repo_play.repos / "docker-ce.repo").read_text() == GUIDE_REPO
    assert "docker-ce.repo" in task(play, "Say which existing file defines docker-ce-stable")["result"]["msg"]
    assert [record["task"] for record in play.records if record["status"] == "changed"] == []


def test_without_one_the_role_adds_docker_ce_stable_once(repo_play):
    play = repo_play()
    assert play.rc == 0, play
    assert ids(repo_play.repos) == {"docker-ce-stable": ["docker-ce-stable.repo"]}
    assert "download.docker.com/linux/centos" in (repo_play.repos / "docker-ce-stable.repo").read_text()
    again = repo_play()
    assert task(again, "Docker CE repository for containerd.io (dnf/yum)")["status"] == "ok"


def test_check_mode_predicts_the_repo_and_writes_nothing(repo_play):
    play = repo_play(check=True)
    assert play.rc == 0, play
    assert task(play, "Docker CE repository for containerd.io (dnf/yum)")["status"] == "changed"
    assert list(repo_play.repos.iterdir()) == []


def test_the_roles_own_repo_is_removed_when_the_guides_file_defines_the_id(repo_play):
    assert repo_play().rc == 0
    (repo_play.repos / "docker-ce.repo").write_text(GUIDE_REPO)
    play = repo_play()
    assert play.rc == 0, play
    assert task(play, "Docker CE repository for containerd.io (dnf/yum)")["status"] == "changed"
    assert ids(repo_play.repos)["docker-ce-stable"] == ["docker-ce.repo"]


def test_apt_hosts_get_no_repository_file(repo_play):
    play = repo_play(pkg_mgr="apt")
    assert play.rc == 0, play
    assert list(repo_play.repos.iterdir()) == []
