# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse


def test_version_has_client_and_server_with_a_version_tuple(captured):
    version = parse.parse_version(captured("version.txt"))
    expected_major = {"1.6": [1, 6], "1.7": [1, 7], "2.x": [2, 1]}[captured.version]
    assert version["server"]["version_tuple"][:2] == expected_major
    assert version["client"]["version"] == version["server"]["version"]
    assert len(version["server"]["uuid"]) == 36
    assert version["client"]["go_version"].startswith("go")


def test_version_tuple_ignores_distribution_suffixes():
    assert parse.version_tuple("1.7.24~ds1") == (1, 7, 24)
    assert parse.version_tuple("2.1.9+unknown") == (2, 1, 9)
    assert parse.version_tuple("v1.6") == (1, 6, 0)
    assert parse.version_tuple("") == (0, 0, 0)


def test_namespaces_carry_their_labels(captured):
    namespaces = parse.parse_namespaces(captured("namespaces-ls.txt"))
    suffix = captured.version.replace(".", "")
    assert namespaces == [{"name": "demo" + suffix, "labels": {"env": "prod", "team": "web"}},
                          {"name": "demo%se" % suffix, "labels": {}}]


def test_plugins_have_type_id_platforms_and_status(captured):
    plugins = parse.parse_plugins(captured("plugins-ls.txt"))
    overlay = [p for p in plugins if p["type"] == "io.containerd.snapshotter.v1" and p["id"] == "overlayfs"]
    assert overlay and overlay[0]["status"] == "ok" and overlay[0]["platforms"] == ["linux/amd64"]
    content = [p for p in plugins if p["id"] == "content" and p["type"] == "io.containerd.content.v1"]
    assert content[0]["platforms"] == []
    assert {p["status"] for p in plugins} <= {"ok", "skip", "error"}


def test_images_keep_the_size_with_its_space(captured):
    (image,) = parse.parse_images(captured("images-ls.txt"))
    assert image["name"] == "docker.io/library/busybox:test"
    assert image["digest"].startswith("sha256:") and len(image["digest"]) == 71
    assert image["size"].endswith("KiB") and image["size_bytes"] > 1000000
    assert image["platforms"] == ["linux/amd64"]
    assert image["labels"] == {}


def test_containers_and_tasks(captured):
    containers = parse.parse_containers(captured("containers-ls.txt"))
    assert [(c["name"], c["runtime"]) for c in containers] == [("c1", "io.containerd.runc.v2"),
                                                               ("c2", "io.containerd.runc.v2")]
    (task,) = parse.parse_tasks(captured("tasks-ls.txt"))
    assert task["name"] == "c1" and task["status"] == "running" and task["pid"] > 0


def test_snapshots_have_kinds(captured):
    kinds = sorted(s["kind"] for s in parse.parse_snapshots(captured("snapshots-ls.txt")))
    assert kinds == ["active", "active", "committed"]


def test_an_empty_table_is_no_rows():
    assert parse.parse_table("", ["NAME"]) == []
    assert parse.parse_table("NAME    LABELS\n", ["NAME", "LABELS"]) == []


def test_a_changed_header_is_an_error_not_a_guess():
    try:
        parse.parse_table("FOO BAR\nx y\n", ["NAME", "LABELS"])
    except ValueError as error:
        assert "NAME" in str(error)
    else:
        raise AssertionError("expected ValueError")


def test_label_values_with_a_comma_rejoin_the_previous_label():
    assert parse.parse_labels("a=1,2,b=3") == {"a": "1,2", "b": "3"}
    assert parse.parse_labels("-") == {}
    assert parse.parse_labels("k=v=w") == {"k": "v=w"}
