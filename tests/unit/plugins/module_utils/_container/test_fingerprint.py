# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fingerprint of a container's creation and the filter that confirms it (_container/fingerprint.py)."""
from ansible_collections.containerd.runtime.plugins.module_utils._container import fingerprint

OPTIONS = {"command": ["sleep", "1"], "env": {"A": "1"}, "labels": {"tier": "web"}, "runtime": "io.containerd.runc.v2"}


def test_the_fingerprint_covers_the_image_and_every_option():
    base = fingerprint.of("busybox:1", OPTIONS)
    assert base.startswith(fingerprint.VERSION + "-")
    assert fingerprint.of("busybox:2", OPTIONS) != base
    assert fingerprint.of("busybox:1", dict(OPTIONS, env={"A": "2"})) != base
    assert fingerprint.of("busybox:1", dict(OPTIONS, labels={"tier": "db"})) != base


def test_the_fingerprint_leaves_its_own_label_out():
    labelled = dict(OPTIONS, labels={"tier": "web", fingerprint.LABEL: "v1-old"})
    assert fingerprint.of("busybox:1", labelled) == fingerprint.of("busybox:1", OPTIONS)


def test_the_selector_ands_the_name_the_fingerprint_and_each_declared_label():
    labels = {"tier": "web", "a.b/c": 'say "hi"\\', fingerprint.LABEL: "v1-abc", "containerd.runtime/user": "1"}
    assert fingerprint.selector("web", labels, {"tier": "web", "a.b/c": 'say "hi"\\'}) == (
        'id=="web",labels."containerd.runtime/fingerprint"=="v1-abc",labels."a.b/c"=="say \\"hi\\"\\\\",'
        'labels."tier"=="web"')


def test_a_label_the_filter_syntax_cannot_carry_gives_no_selector():
    labels = {"tier": "a\nb", fingerprint.LABEL: "v1-abc"}
    assert fingerprint.selector("web", labels, {"tier": "a\nb"}) is None
    assert fingerprint.selector("web", {"tier": "", fingerprint.LABEL: "v1-abc"}, {"tier": ""}) is None


def test_a_confirmed_record_carries_what_it_was_confirmed_with():
    record = fingerprint.confirmed_record("web", "busybox:1", {fingerprint.LABEL: "v1-abc", "tier": "web"})
    assert fingerprint.confirmed(record) == "v1-abc"
    assert record["Labels"]["tier"] == "web"
    assert fingerprint.confirmed({"ID": "web", "Labels": {fingerprint.LABEL: "v1-abc"}}) is None
    assert fingerprint.confirmed(None) is None
