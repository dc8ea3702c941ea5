# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_info reports what plain ctr reports, on every version, and never changes anything."""
import re


def table(containerd, *args):
    rows = [re.split(r"\s{2,}", line.strip()) for line in containerd.lines(*args)]
    return rows[1:]


def test_version_matches_ctr_version(ansible, containerd):
    result = ansible.module("containerd_info")
    text = containerd.ctr("version").stdout
    server = text.split("Server:", 1)[1]
    assert result["status"] == "ok"
    assert "Version:  %s" % result["version"]["server"]["version"] in server
    assert "UUID: %s" % result["version"]["server"]["uuid"] in server
    assert result["version"]["client"]["version"] in text.split("Server:", 1)[0]
    major, minor = result["server_version"].split(".")[:2]
    assert {"1.6": ("1", "6"), "1.7": ("1", "7"), "2.x": ("2", minor)}[containerd.version] == (major, minor)


def test_the_deprecations_feature_is_what_ctr_deprecations_list_answers(ansible, containerd):
    result = ansible.module("containerd_info")
    answered = containerd.ctr("deprecations", "list", check=False).returncode == 0
    assert result["features"]["deprecations"] is answered


def test_plugins_match_ctr_plugins_ls(ansible, containerd):
    result = ansible.module("containerd_info")
    expected = [(row[0], row[1], row[-1]) for row in table(containerd, "plugins", "ls")]
    assert [(p["type"], p["id"], p["status"]) for p in result["plugins"]] == expected
    overlay = [p for p in result["plugins"] if p["id"] == "overlayfs" and p["type"].endswith("snapshotter.v1")]
    assert overlay and overlay[0]["status"] == "ok" and overlay[0]["platforms"]


def test_namespaces_match_ctr_namespaces_ls(ansible, containerd, namespace):
    containerd.ctr("namespaces", "create", namespace, "team=web", "tier=1")
    result = ansible.module("containerd_info")
    assert [n["name"] for n in result["namespaces"]] == containerd.namespaces()
    assert {"name": namespace, "labels": {"team": "web", "tier": "1"}} in result["namespaces"]


def test_images_containers_and_tasks_of_the_namespace_are_listed_on_request(ansible, containerd, namespace, busybox):
    containerd.ctr("containers", "create", busybox, "idle", "sleep", "1000", namespace=namespace)
    containerd.ctr("containers", "create", busybox, "busy", "sleep", "1000", namespace=namespace)
    containerd.ctr("tasks", "start", "-d", "busy", namespace=namespace)
    result = ansible.module("containerd_info", {"images": True, "containers": True, "tasks": True})
    assert [i["name"] for i in result["images"]] == [busybox]
    assert result["images"][0]["digest"].startswith("sha256:")
    assert sorted(c["name"] for c in result["containers"]) == ["busy", "idle"]
    assert [(t["name"], t["status"]) for t in result["tasks"]] == [("busy", "running")]
    pid = int(containerd.lines("tasks", "ls", namespace=namespace)[1].split()[1])
    assert result["tasks"][0]["pid"] == pid


def test_listings_are_left_out_unless_asked_for(ansible):
    result = ansible.module("containerd_info")
    assert not {"images", "containers", "tasks"} & set(result)


def test_info_never_reports_a_change(ansible):
    assert ansible.module("containerd_info", check=True)["status"] == "ok"
    assert ansible.module("containerd_info", {"images": True})["status"] == "ok"
