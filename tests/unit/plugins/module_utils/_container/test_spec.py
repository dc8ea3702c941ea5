# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container_spec: parameters -> desired options, container record -> actual options, and their comparison."""
import json
from pathlib import Path

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidContainerOptions

FIXTURES = Path(__file__).resolve().parents[4] / "unit" / "fixtures" / "ctr"
IMAGE = {"name": "docker.io/library/busybox:test", "digest": "sha256:aaa", "config": {
    "config": {"Cmd": ["sh"], "Env": ["PATH=/usr/bin:/bin", "MODE=image"], "WorkingDir": "/"}}}


@pytest.mark.parametrize("text,expected", [
    ("512m", 512 * 1024 ** 2), ("512M", 512 * 1024 ** 2), ("1g", 1024 ** 3), ("1gb", 1024 ** 3),
    ("1GiB", 1024 ** 3), ("64k", 65536), ("1048576", 1048576), ("100b", 100), ("1.5g", int(1.5 * 1024 ** 3)),
    (None, None), ("", None),
])
def test_memory_sizes_are_parsed_in_binary_units(text, expected):
    assert spec.parse_memory(text) == expected


@pytest.mark.parametrize("text", ["-1", "-512m", "0", "lots", "12x", "m"])
def test_bad_or_negative_memory_is_rejected_with_a_message(text):
    with pytest.raises(InvalidContainerOptions) as error:
        spec.parse_memory(text)
    assert "memory" in error.value.message


@pytest.mark.parametrize("cpus,expected", [(1, (100000, 100000)), (0.5, (50000, 100000)),
                                           (1.5, (150000, 100000)), (0.01, (1000, 100000)), (None, None)])
def test_cpus_map_to_cfs_quota_over_a_100ms_period(cpus, expected):
    assert spec.cpus_to_cfs(cpus) == expected


@pytest.mark.parametrize("cpus", [0, -1, 0.001, "many"])
def test_too_few_or_bad_cpus_are_rejected(cpus):
    with pytest.raises(InvalidContainerOptions):
        spec.cpus_to_cfs(cpus)


def test_cfs_maps_back_to_cpus():
    assert spec.cfs_to_cpus(150000, 100000) == 1.5
    assert spec.cfs_to_cpus(-1, 0) is None
    assert spec.cfs_to_cpus(None, None) is None


@pytest.mark.parametrize("policy,labels", [
    ("no", {}), (None, {}), ("always", {"containerd.io/restart.policy": "always"}),
    ("unless-stopped", {"containerd.io/restart.policy": "unless-stopped"}),
    ("on-failure", {"containerd.io/restart.policy": "on-failure"}),
    ("on-failure:3", {"containerd.io/restart.policy": "on-failure:3"}),
    ("on-failure:0", {"containerd.io/restart.policy": "on-failure"}),
])
def test_restart_policies_become_the_restart_monitors_labels(policy, labels):
    assert spec.restart_policy_labels(policy) == labels


@pytest.mark.parametrize("policy", ["sometimes", "always:3", "on-failure:x", "unless-stopped:1", "on-failure:-1"])
def test_unknown_restart_policies_are_rejected(policy):
    with pytest.raises(InvalidContainerOptions) as error:
        spec.restart_policy_labels(policy)
    assert "restart_policy" in error.value.message


@pytest.mark.parametrize("command,argv", [
    ("sleep 1000", ["sleep", "1000"]),
    ("sh -c 'echo hi; exit 3'", ["sh", "-c", "echo hi; exit 3"]),
    ('echo "a b" c\\ d', ["echo", "a b", "c d"]),
    (["sh", "-c", "echo $HOME"], ["sh", "-c", "echo $HOME"]),
    ([1, 2], ["1", "2"]),
    (None, None),
])
def test_commands_are_split_like_a_shell_and_lists_are_kept(command, argv):
    assert spec.split_command(command) == argv


@pytest.mark.parametrize("command", ["", [], "echo 'unterminated"])
def test_empty_or_unsplittable_commands_are_rejected(command):
    with pytest.raises(InvalidContainerOptions):
        spec.split_command(command)


@pytest.mark.parametrize("signal,expected", [("term", "SIGTERM"), ("SIGQUIT", "SIGQUIT"), ("9", "9"),
                                             ("sigrtmin+3", "SIGRTMIN+3")])
def test_signals_are_normalized(signal, expected):
    assert spec.normalize_signal(signal) == expected


def test_mounts_become_what_ctr_records():
    assert spec.mount_spec({"source": "/srv", "target": "/data", "read_only": True}) == {
        "type": "bind", "source": "/srv", "target": "/data", "options": ["rbind", "ro"]}
    assert spec.mount_spec({"type": "tmpfs", "target": "/tmp", "options": ["size=64m", "mode=1777"]}) == {
        "type": "tmpfs", "source": "tmpfs", "target": "/tmp", "options": ["size=64m", "mode=1777"]}


@pytest.mark.parametrize("mount", [{"target": "data", "source": "/srv"}, {"target": "/data"},
                                   {"target": "/data", "source": "relative"},
                                   {"target": "/d", "source": "/srv", "options": ["a:b"]},
                                   {"target": "/d,x", "source": "/srv"}, {"type": "nfs", "target": "/d"}])
def test_bad_mounts_are_rejected(mount):
    with pytest.raises(InvalidContainerOptions):
        spec.mount_spec(mount)


def params(**options):
    base = {"image": IMAGE["name"]}
    base.update(options)
    return base


def test_desired_merges_env_over_the_image_and_takes_the_images_command():
    want = spec.desired(params(env={"MODE": "mine", "EXTRA": 1}), IMAGE)
    assert want["env"] == {"PATH": "/usr/bin:/bin", "MODE": "mine", "EXTRA": "1"}
    assert want["command"] == ["sh"]
    assert want["image_digest"] == "sha256:aaa"
    assert want["stop_signal"] == "SIGTERM" and want["stop_timeout"] == 10 and want["restart_policy"] == "no"


def test_the_images_entrypoint_stays_in_front_of_the_command():
    image = {"digest": "sha256:b", "config": {"config": {"Entrypoint": ["/init"], "Cmd": ["serve"]}}}
    assert spec.desired(params(), image)["command"] == ["/init", "serve"]
    assert spec.desired(params(command="run fast"), image)["command"] == ["/init", "run", "fast"]


def record(version="2.x"):
    return json.loads((FIXTURES / version / "containers-info.txt").read_text())


@pytest.mark.parametrize("version", ["1.6", "1.7", "2.x"])
def test_actual_reads_a_real_record(version):
    have = spec.actual(record(version))
    assert have["image"] == "docker.io/library/busybox:test"
    assert have["mounts"] == [] and have["labels"] == {}
    assert have["runtime"] == "io.containerd.runc.v2"
    assert have["net_host"] is False and have["privileged"] is False and have["memory"] is None
    assert have["stop_signal"] == "SIGTERM" and have["restart_policy"] == "no"


def test_a_matching_record_has_no_differences():
    have = spec.actual(record())
    want = spec.desired(params(image=have["image"], command=have["command"]), {
        "digest": None, "config": {"config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}})
    assert spec.compare(Differences(), want, have).names == []


def test_the_comparison_names_each_differing_option():
    have = spec.actual(record())
    want = spec.desired(params(image=have["image"], command="sleep 5", memory="512m",
                               labels={"team": "web"}, restart_policy="always"), {"digest": None, "config": {
                                   "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}})
    differences = spec.compare(Differences(), want, have)
    assert differences.names == ["command", "labels", "memory", "restart_policy"]
    assert differences.before["memory"] is None and differences.after["memory"] == 512 * 1024 ** 2


def test_the_hostname_that_ctr_net_host_adds_to_env_is_not_a_difference():
    have = dict(spec.actual(record()), net_host=True)
    have["env"] = dict(have["env"], HOSTNAME="host1")
    want = dict(have, env=dict((k, v) for k, v in have["env"].items() if k != "HOSTNAME"))
    assert spec.compare(Differences(), want, have).names == []
    assert spec.compare(Differences(), dict(want, env=dict(want["env"], HOSTNAME="web")), have).names == ["env"]
    assert spec.compare(Differences(), want, dict(have, net_host=False)).names == ["env", "net_host"]


def test_owned_and_containerd_labels_are_not_compared_as_user_labels():
    data = record()
    data["Labels"].update({"containerd.io/restart.status": "running", "containerd.runtime/image-digest": "x",
                           "team": "web"})
    assert spec.actual(data)["labels"] == {"team": "web"}


def test_snapshotter_and_unknown_digests_are_only_compared_when_known():
    have = spec.actual(record())
    want = dict(have, snapshotter=None, image_digest="sha256:new")
    assert spec.compare(Differences(), want, dict(have, image_digest=None)).names == []
    assert spec.compare(Differences(), dict(want, snapshotter="native"), dict(have, image_digest="sha256:old")).names \
        == ["image_digest", "snapshotter"]


def test_create_options_carry_the_owned_labels():
    want = spec.desired(params(user="nobody", restart_policy="on-failure:2", stop_timeout=3, cpus=0.5), IMAGE)
    options = spec.create_options(want, spec.declared_labels(params(user="nobody")))
    assert options["labels"] == {"containerd.io/restart.policy": "on-failure:2",
                                 "containerd.runtime/image-digest": "sha256:aaa",
                                 "containerd.runtime/user": "nobody", "containerd.runtime/stop-timeout": "3"}
    assert options["cfs"] == (50000, 100000)


PUBLIC = {"name": "docker.io/library/web:1", "digest": "sha256:bbb", "config": {"config": {
    "Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"], "WorkingDir": "/srv",
    "Env": ["PATH=/usr/bin:/bin", "NGINX_VERSION=1.27"], "StopSignal": "SIGQUIT", "User": "101",
    "Labels": {"maintainer": "NGINX <docker-maint@nginx.com>", "org.opencontainers.image.version": "1.27"}}}}


def created_from(want, image_labels):
    """The record ctr makes for ``want``: the image's config labels copied onto the container."""
    data = record()
    data["Spec"]["process"]["args"] = want["command"]
    data["Spec"]["process"]["env"] = ["%s=%s" % item for item in want["env"].items()]
    data["Spec"]["process"]["cwd"] = want["working_dir"]
    data["Labels"] = dict(image_labels, **spec.create_options(want, {})["labels"])
    data["Labels"][spec.STOP_SIGNAL_LABEL] = want["stop_signal"]
    return data


def test_labels_the_image_supplies_are_no_drift():
    want = spec.desired(params(command=["sleep", "3600"]), PUBLIC)
    have = spec.actual(created_from(want, PUBLIC["config"]["config"]["Labels"]))
    assert spec.compare(Differences(), want, have, spec.Baseline(params(), PUBLIC)).names == []


def test_image_labels_the_container_lacks_are_no_drift():
    want = spec.desired(params(), PUBLIC)
    have = spec.actual(created_from(want, {}))
    assert spec.compare(Differences(), want, have, spec.Baseline(params(), PUBLIC)).names == []


def test_an_image_label_the_container_carries_with_another_value_is_drift():
    # an override the options dropped: a container created now would carry the image's value
    want = spec.desired(params(), PUBLIC)
    have = spec.actual(created_from(want, {"maintainer": "someone else", "org.opencontainers.image.version": "1.27"}))
    differences = spec.compare(Differences(), want, have, spec.Baseline(params(), PUBLIC))
    assert differences.names == ["labels"]
    assert differences.diff() == {"before": {"labels": {"maintainer": "someone else"}},
                                  "after": {"labels": {"maintainer": "NGINX <docker-maint@nginx.com>"}}}


def test_labels_of_the_image_a_container_was_made_from_are_no_drift_when_the_image_moved():
    # the tag moved to a new digest with a new version label: the container is re-created for image_digest,
    # and the old image's labels it carries are not named as a second difference
    old = dict(PUBLIC, digest="sha256:aaa")
    have = spec.actual(created_from(spec.desired(params(), old), {"maintainer": "NGINX <docker-maint@nginx.com>",
                                                                  "org.opencontainers.image.version": "1.26"}))
    want = spec.desired(params(), PUBLIC)
    assert spec.compare(Differences(), want, have, spec.Baseline(params(), PUBLIC)).names == ["image_digest"]


def test_a_declared_label_overrides_the_images_and_is_compared():
    declared = params(labels={"maintainer": "us"})
    want = spec.desired(declared, PUBLIC)
    assert want["labels"]["maintainer"] == "us" and want["labels"]["org.opencontainers.image.version"] == "1.27"
    have = spec.actual(created_from(spec.desired(params(), PUBLIC), PUBLIC["config"]["config"]["Labels"]))
    differences = spec.compare(Differences(), want, have, spec.Baseline(declared, PUBLIC))
    assert differences.names == ["labels"]
    assert differences.diff() == {"before": {"labels": {"maintainer": "NGINX <docker-maint@nginx.com>"}},
                                  "after": {"labels": {"maintainer": "us"}}}


def test_a_label_neither_declared_nor_from_the_image_is_drift():
    want = spec.desired(params(), PUBLIC)
    have = spec.actual(created_from(want, dict(PUBLIC["config"]["config"]["Labels"], team="old")))
    assert spec.compare(Differences(), want, have, spec.Baseline(params(), PUBLIC)).names == ["labels"]


def test_only_declared_labels_go_on_ctrs_command_line():
    want = spec.desired(params(labels={"team": "web"}), PUBLIC)
    labels = spec.create_options(want, spec.declared_labels(params(labels={"team": "web"})))["labels"]
    assert "maintainer" not in labels and labels["team"] == "web"


def test_command_replaces_the_images_cmd_and_keeps_its_entrypoint():
    assert spec.desired(params(command="nginx -t"), PUBLIC)["command"] == ["/docker-entrypoint.sh", "nginx", "-t"]
    assert spec.desired(params(), PUBLIC)["command"] == ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]


def test_entrypoint_replaces_the_images_and_drops_its_cmd():
    assert spec.desired(params(entrypoint=["/bin/sh", "-c"]), PUBLIC)["command"] == ["/bin/sh", "-c"]
    assert spec.desired(params(entrypoint="/bin/sh -c", command=["echo hi"]), PUBLIC)["command"] == [
        "/bin/sh", "-c", "echo hi"]
    assert spec.desired(params(entrypoint=[], command=["sleep", "1"]), PUBLIC)["command"] == ["sleep", "1"]


def test_an_image_without_entrypoint_or_cmd_needs_a_command():
    with pytest.raises(InvalidContainerOptions) as error:
        spec.desired(params(), {"name": "x", "digest": "sha256:c", "config": {"config": {}}})
    assert "set command" in error.value.message


def test_the_images_env_working_dir_and_stop_signal_are_the_baseline():
    want = spec.desired(params(env={"NGINX_VERSION": "1.28"}), PUBLIC)
    assert want["env"] == {"PATH": "/usr/bin:/bin", "NGINX_VERSION": "1.28"}
    assert want["working_dir"] == "/srv" and want["stop_signal"] == "SIGQUIT"
    assert spec.desired(params(stop_signal="TERM", working_dir="/"), PUBLIC)["stop_signal"] == "SIGTERM"


def test_an_image_without_env_gets_containerds_default_path():
    want = spec.desired(params(command="sh"), {"name": "x", "digest": "sha256:c", "config": {"config": {}}})
    assert want["env"] == spec.DEFAULT_ENV


def test_with_the_image_unknown_only_declared_values_are_compared():
    want_known = spec.desired(params(command=["sleep", "3600"]), PUBLIC)
    have = spec.actual(created_from(want_known, PUBLIC["config"]["config"]["Labels"]))
    unknown = params(command=None, env={"NGINX_VERSION": "1.27"})
    want = spec.desired(unknown, None)
    assert spec.compare(Differences(), dict(want, image_digest=None), have, spec.Baseline(unknown, None)).names == []
    drifted = params(env={"NGINX_VERSION": "2"})
    assert spec.compare(Differences(), spec.desired(drifted, None), have, spec.Baseline(drifted, None)).names == ["env"]
