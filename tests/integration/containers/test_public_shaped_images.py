# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""container: images shaped like public ones (harness/corpus.py) are the baseline, not drift (issue 11).

ctr copies an image's config labels onto the container it creates and takes env, working dir, entrypoint, cmd,
user and stop signal from the image: none of that is a difference, and Docker's semantics hold for what the
options override.
"""
from harness import corpus

SLEEP = ["sleep", "3600"]


def process(record):
    return record["Spec"]["process"]


def test_an_image_with_config_labels_is_created_once_then_left_alone(container, ansible, labelled, tasks):
    first = container("a", image=labelled, command=SLEEP)
    assert first["status"] == "changed", first
    assert ansible.module("task", {"name": "a"})["status"] == "changed"
    pid = tasks()["a"]["pid"]
    for _run in (2, 3):
        again = container("a", image=labelled, command=SLEEP, diff=True)
        assert again["status"] == "ok", again
        assert again["differences"] == [], again
    assert tasks()["a"] == {"pid": pid, "status": "RUNNING"}


def test_every_corpus_image_converges_once_and_check_mode_predicts_it(container, ansible, corpus_image, info,
                                                                      tasks, containerd):
    statuses = [container("web", image=corpus_image.ref, check=True)["status"]]
    created = info("web") is not None
    statuses.append(container("web", image=corpus_image.ref)["status"])
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    pid = tasks()["web"]["pid"]
    predicted = container("web", image=corpus_image.ref, check=True)
    statuses.append(predicted["status"])
    again = [container("web", image=corpus_image.ref) for _run in (4, 5)]
    statuses += [result["status"] for result in again]
    pids_unchanged = tasks()["web"] == {"pid": pid, "status": "RUNNING"}
    corpus.report_idempotence("container", corpus_image.shape.name, containerd, statuses, pids_unchanged)

    assert statuses == ["changed", "changed", "ok", "ok", "ok"], (statuses, predicted, again)
    assert not created, "check mode created the container"
    assert [result["differences"] for result in [predicted] + again] == [[], [], []]
    assert pids_unchanged


def test_command_replaces_the_images_cmd_and_keeps_its_entrypoint(container, info):
    assert container("web", command=SLEEP)["status"] == "changed"
    assert process(info("web"))["args"] == [corpus.ENTRYPOINT] + SLEEP


def test_no_command_runs_the_images_entrypoint_and_cmd(container, info):
    assert container("web")["status"] == "changed"
    assert process(info("web"))["args"] == [corpus.ENTRYPOINT] + corpus.CMD


def test_entrypoint_replaces_the_images_entrypoint_and_drops_its_cmd(container, info):
    assert container("web", entrypoint=["sleep"], command=["3600"])["status"] == "changed"
    assert process(info("web"))["args"] == SLEEP
    assert container("web", entrypoint=["sleep"], command=["3600"])["status"] == "ok"


def test_the_images_env_and_working_dir_are_in_the_spec(container, info):
    assert container("web", command=SLEEP, env={"MODE": "test"})["status"] == "changed"
    spec = process(info("web"))
    assert set(corpus.ENV) | {"MODE=test"} <= set(spec["env"])
    assert spec["cwd"] == corpus.WORKING_DIR


def test_a_declared_env_var_wins_over_the_images_value(container, info):
    assert container("web", command=SLEEP, env={"APP_MODE": "test"})["status"] == "changed"
    env = process(info("web"))["env"]
    assert "APP_MODE=test" in env and "APP_MODE=production" not in env
    assert container("web", command=SLEEP, env={"APP_MODE": "test"})["status"] == "ok"


def test_declared_labels_win_over_the_images_labels(container, info):
    labels = {"maintainer": "ops@example.com", "team": "web"}
    assert container("web", command=SLEEP, labels=labels)["status"] == "changed"
    record = info("web")["Labels"]
    assert record["maintainer"] == "ops@example.com" and record["team"] == "web"
    assert record["org.opencontainers.image.title"] == corpus.labels("v1")["org.opencontainers.image.title"]
    again = container("web", command=SLEEP, labels=labels)
    assert again["status"] == "ok" and again["differences"] == [], again


def test_dropping_a_declared_label_that_overrode_the_images_recreates_the_container(container, info):
    assert container("web", command=SLEEP, labels={"maintainer": "ops@example.com"})["status"] == "changed"
    changed = container("web", command=SLEEP)
    assert changed["status"] == "changed" and changed["differences"] == ["labels"], changed
    assert info("web")["Labels"]["maintainer"] == corpus.labels("v1")["maintainer"]
    assert container("web", command=SLEEP)["status"] == "ok"


def test_the_images_numeric_user_runs_the_process(container, nonroot, info):
    assert container("web", image=nonroot, command=SLEEP)["status"] == "changed"
    user = process(info("web"))["user"]
    assert (user["uid"], user["gid"]) == (65534, 65534)
    assert container("web", image=nonroot, command=SLEEP)["status"] == "ok"


def test_a_graceful_stop_sends_the_images_stop_signal(container, ansible, nonroot, info, tmp_path):
    tmp_path.chmod(0o777)  # the image's user (65534) writes there
    trap = ("trap 'echo QUIT > /out/signal; exit 0' QUIT; trap 'echo TERM > /out/signal; exit 0' TERM; "
            "while :; do sleep 1; done")
    options = dict(image=nonroot, command=["sh", "-c", trap], stop_timeout=20,
                   mounts=[{"source": str(tmp_path), "target": "/out"}])
    assert container("web", **options)["status"] == "changed"
    assert info("web")["Labels"]["io.containerd.image.config.stop-signal"] == "SIGQUIT"
    assert ansible.module("task", {"name": "web"})["status"] == "changed"
    stopped = ansible.module("task", {"name": "web", "state": "stopped"})
    assert stopped["status"] == "changed", stopped
    assert stopped["stopped_by"] == "SIGQUIT", stopped
    assert (tmp_path / "signal").read_text() == "QUIT\n"
