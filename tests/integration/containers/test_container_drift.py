# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container module: every compared option that changes re-creates the container, with a diff naming it.

Each test: check mode predicts (and changes nothing), the real run re-creates, then a check run and a real
run are both unchanged.
"""
import pytest

from harness import corpus, images

from container_workloads import GRACEFUL

BASE = dict(command=["sleep", "1000"], env={"MODE": "a"}, labels={"team": "web"}, memory="64m",
            mounts=[{"type": "tmpfs", "target": "/scratch", "options": ["size=1m"]}])


@pytest.fixture
def recreates(container, ansible, busybox, info):
    """recreates(option, changed options, before, after) -> the new record, after asserting the sequence: the
    container made from BASE, then check mode predicts a re-creation whose diff names only ``option`` (and
    changes nothing), the real run re-creates it, and the idempotent runs leave it alone."""
    def converge(option, changed, expect_before=None, expect_after=None):
        first = container("web", **BASE)
        assert first["status"] == "changed", first
        created = info("web")["CreatedAt"]

        def names_only_the_option(diff):
            assert list(diff["before"]) == [option] and list(diff["after"]) == [option]
            assert expect_before is None or diff["before"][option] == expect_before
            assert expect_after is None or diff["after"][option] == expect_after

        converged = ansible.converge("container", dict(BASE, name="web", image=busybox, **changed),
                                     observe=lambda: info("web")["CreatedAt"], expect_diff=names_only_the_option)
        assert converged.check["differences"] == [option], converged.check
        assert "created container web" in converged.real["actions"]
        assert converged.before == created and converged.after != created
        return info("web")
    return converge


def test_changing_command_recreates_with_a_diff_naming_command(recreates):
    # the image's entrypoint stays: command replaces only its cmd
    record = recreates("command", {"command": "sleep 2000"},
                       [corpus.ENTRYPOINT, "sleep", "1000"], [corpus.ENTRYPOINT, "sleep", "2000"])
    assert record["Spec"]["process"]["args"] == [corpus.ENTRYPOINT, "sleep", "2000"]


def test_changing_env_recreates_with_a_diff_naming_env(recreates):
    record = recreates("env", {"env": {"MODE": "b"}})
    assert "MODE=b" in record["Spec"]["process"]["env"]


def test_changing_a_label_recreates_with_a_diff_naming_labels(recreates):
    record = recreates("labels", {"labels": {"team": "db"}}, {"team": "web"}, {"team": "db"})
    assert record["Labels"]["team"] == "db"


def test_changing_a_mount_recreates_with_a_diff_naming_mounts(recreates, tmp_path):
    mounts = [{"source": str(tmp_path), "target": "/data", "read_only": True}]
    record = recreates("mounts", {"mounts": mounts})
    assert {"destination": "/data", "type": "bind", "source": str(tmp_path), "options": ["rbind", "ro"]} \
        in record["Spec"]["mounts"]
    assert not [mount for mount in record["Spec"]["mounts"] if mount["destination"] == "/scratch"]


def test_changing_memory_recreates_with_a_diff_naming_memory(recreates):
    record = recreates("memory", {"memory": "128m"}, 64 * 1024 ** 2, 128 * 1024 ** 2)
    assert record["Spec"]["linux"]["resources"]["memory"]["limit"] == 128 * 1024 ** 2


def test_image_tag_moved_to_a_new_digest_recreates_with_a_diff_naming_image_digest(
        container, ansible, info, containerd, namespace, busybox, busybox_v2_archive):
    first = container("web", **BASE)
    assert first["status"] == "changed"
    old_digest = first["container"]["image_digest"]
    images.import_image(containerd, namespace, busybox_v2_archive, busybox)
    new_digest = images.archive_digest(busybox_v2_archive)
    assert new_digest != old_digest

    converged = ansible.converge(
        "container", dict(BASE, name="web", image=busybox),
        observe=lambda: info("web")["Labels"]["containerd.runtime/image-digest"],
        expect_diff={"before": {"image_digest": old_digest}, "after": {"image_digest": new_digest}})
    assert converged.check["differences"] == ["image_digest"], converged.check
    assert (converged.before, converged.after) == (old_digest, new_digest)


def test_recreate_true_forces_recreation_of_an_unchanged_container(container, info):
    container("web", **BASE)
    created = info("web")["CreatedAt"]
    check = container("web", check=True, recreate=True, **BASE)
    assert check["status"] == "changed" and check["differences"] == []
    assert info("web")["CreatedAt"] == created
    real = container("web", recreate=True, **BASE)
    assert real["status"] == "changed"
    assert info("web")["CreatedAt"] != created
    assert container("web", **BASE)["status"] == "ok"


def test_recreating_a_running_container_stops_it_gracefully_and_starts_it_again(
        container, ansible, busybox, info, tasks):
    options = dict(command=GRACEFUL, stop_timeout=5)
    container("web", **options)
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    old_pid = tasks()["web"]["pid"]

    # check mode cannot know how the task will stop: the real run's actions say "... with SIGTERM"
    converged = ansible.converge("container", dict(options, name="web", image=busybox, env={"MODE": "new"}),
                                 observe=lambda: tasks()["web"], predicted=("differences", "diff"))
    assert converged.check["differences"] == ["env"] and converged.check["actions"][-1] == "started task web"
    assert converged.before == {"pid": old_pid, "status": "RUNNING"}
    assert converged.real["stopped_by"] == "SIGTERM"  # the workload exits on SIGTERM: no SIGKILL needed
    assert converged.real["actions"][-1] == "started task web"
    assert converged.after["status"] == "RUNNING" and converged.after["pid"] != old_pid
    assert "MODE=new" in info("web")["Spec"]["process"]["env"]
