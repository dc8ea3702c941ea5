# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container module: every compared option that changes re-creates the container, with a diff naming it.

Each test: check mode predicts (and changes nothing), the real run re-creates, then a check run and a real
run are both unchanged.
"""
from harness import corpus, images

from container_workloads import GRACEFUL

BASE = dict(command=["sleep", "1000"], env={"MODE": "a"}, labels={"team": "web"}, memory="64m",
            mounts=[{"type": "tmpfs", "target": "/scratch", "options": ["size=1m"]}])


def assert_recreates(container, info, option, changed, expect_before=None, expect_after=None):
    first = container("web", **BASE)
    assert first["status"] == "changed", first
    created = info("web")["CreatedAt"]
    options = dict(BASE, **changed)

    check = container("web", check=True, diff=True, **options)
    assert check["status"] == "changed", check
    assert check["differences"] == [option], check
    assert list(check["diff"]["before"]) == [option] and list(check["diff"]["after"]) == [option]
    if expect_before is not None:
        assert check["diff"]["before"][option] == expect_before
    if expect_after is not None:
        assert check["diff"]["after"][option] == expect_after
    assert info("web")["CreatedAt"] == created, "check mode changed the container"

    real = container("web", diff=True, **options)
    assert real["status"] == "changed", real
    assert real["differences"] == [option]
    assert "created container web" in real["actions"]
    record = info("web")
    assert record["CreatedAt"] != created

    assert container("web", check=True, **options)["status"] == "ok"
    again = container("web", **options)
    assert again["status"] == "ok", again
    assert info("web")["CreatedAt"] == record["CreatedAt"]
    return record


def test_changing_command_recreates_with_a_diff_naming_command(container, info):
    # the image's entrypoint stays: command replaces only its cmd
    record = assert_recreates(container, info, "command", {"command": "sleep 2000"},
                              [corpus.ENTRYPOINT, "sleep", "1000"], [corpus.ENTRYPOINT, "sleep", "2000"])
    assert record["Spec"]["process"]["args"] == [corpus.ENTRYPOINT, "sleep", "2000"]


def test_changing_env_recreates_with_a_diff_naming_env(container, info):
    record = assert_recreates(container, info, "env", {"env": {"MODE": "b"}})
    assert "MODE=b" in record["Spec"]["process"]["env"]


def test_changing_a_label_recreates_with_a_diff_naming_labels(container, info):
    record = assert_recreates(container, info, "labels", {"labels": {"team": "db"}},
                              {"team": "web"}, {"team": "db"})
    assert record["Labels"]["team"] == "db"


def test_changing_a_mount_recreates_with_a_diff_naming_mounts(container, info, tmp_path):
    mounts = [{"source": str(tmp_path), "target": "/data", "read_only": True}]
    record = assert_recreates(container, info, "mounts", {"mounts": mounts})
    assert {"destination": "/data", "type": "bind", "source": str(tmp_path), "options": ["rbind", "ro"]} \
        in record["Spec"]["mounts"]
    assert not [mount for mount in record["Spec"]["mounts"] if mount["destination"] == "/scratch"]


def test_changing_memory_recreates_with_a_diff_naming_memory(container, info):
    record = assert_recreates(container, info, "memory", {"memory": "128m"}, 64 * 1024 ** 2, 128 * 1024 ** 2)
    assert record["Spec"]["linux"]["resources"]["memory"]["limit"] == 128 * 1024 ** 2


def test_image_tag_moved_to_a_new_digest_recreates_with_a_diff_naming_image_digest(
        container, info, containerd, namespace, busybox, busybox_v2_archive):
    first = container("web", **BASE)
    assert first["status"] == "changed"
    old_digest = first["container"]["image_digest"]
    images.import_image(containerd, namespace, busybox_v2_archive, busybox)
    new_digest = images.archive_digest(busybox_v2_archive)
    assert new_digest != old_digest

    check = container("web", check=True, diff=True, **BASE)
    assert check["status"] == "changed" and check["differences"] == ["image_digest"], check
    assert check["diff"] == {"before": {"image_digest": old_digest}, "after": {"image_digest": new_digest}}
    assert info("web")["Labels"]["containerd.runtime/image-digest"] == old_digest

    real = container("web", **BASE)
    assert real["status"] == "changed" and real["differences"] == ["image_digest"]
    assert info("web")["Labels"]["containerd.runtime/image-digest"] == new_digest
    assert container("web", check=True, **BASE)["status"] == "ok"
    assert container("web", **BASE)["status"] == "ok"


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


def test_recreating_a_running_container_stops_it_gracefully_and_starts_it_again(container, ansible, info, tasks):
    options = dict(command=GRACEFUL, stop_timeout=5)
    container("web", **options)
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    old_pid = tasks()["web"]["pid"]

    check = container("web", check=True, env={"MODE": "new"}, **options)
    assert check["status"] == "changed" and check["differences"] == ["env"]
    assert check["actions"][-1] == "started task web"
    assert tasks()["web"] == {"pid": old_pid, "status": "RUNNING"}

    real = container("web", env={"MODE": "new"}, **options)
    assert real["status"] == "changed", real
    assert real["stopped_by"] == "SIGTERM"  # the workload exits on SIGTERM: no SIGKILL needed
    assert real["actions"][-1] == "started task web"
    now = tasks()["web"]
    assert now["status"] == "RUNNING" and now["pid"] != old_pid
    assert "MODE=new" in info("web")["Spec"]["process"]["env"]

    assert container("web", check=True, env={"MODE": "new"}, **options)["status"] == "ok"
    assert container("web", env={"MODE": "new"}, **options)["status"] == "ok"
    assert tasks()["web"] == now
