# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape of every ctr command (flags, ``--``, operands) and flags chosen by the ctr binary's own release.

The shapes are what ctr 1.6 and 1.7 (urfave/cli v1, reordering), 2.0-2.3 (v2) and 2.4 (v3, issue 14208) all
read the same way; see plugins/module_utils/_ctr/args.py. The version pairs are a ctr client of one release
against a daemon of another (``ctr version`` prints both), as a distribution's ctr 1.6 against a 2.x daemon.
"""
import io
import os
import tarfile

import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import errors
from ansible_collections.containerd.runtime.plugins.module_utils._ctr import args as ctr_args
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.client import CtrClient
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.images import RegistryOptions
from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from stub_runner import StubRunner, shim_logged

RELEASES = {"1.6": "1.6.20~ds1", "1.7": "1.7.24~ds1", "2.1": "2.1.9+unknown", "2.4": "2.4.0"}
# (ctr client, daemon): the same release, and one release older and newer than the daemon
PAIRS = [("1.6", "1.6"), ("1.7", "1.7"), ("2.1", "2.1"), ("2.4", "2.4"), ("1.6", "2.1"), ("1.7", "2.1"),
         ("2.1", "1.6"), ("2.1", "1.7")]
HOSTILE = "--rm"  # an operand that every ctr release would read as a flag if it came before the "--"


def version_text(client, server):
    return "Client:\n  Version:  %s\n  Revision: x\n\nServer:\n  Version:  %s\n  Revision: x\n  UUID: u\n" % (
        RELEASES[client], RELEASES[server])


@pytest.fixture(params=PAIRS, ids=lambda pair: "ctr-%s-daemon-%s" % pair)
def pair(request):
    return request.param


@pytest.fixture
def client(ctr, listening_socket, pair):
    made = CtrClient(ctr, listening_socket, "ns", 5, StubRunner((0, version_text(*pair), "")))
    made.version()
    return made


def answer(argv):
    """ctr's answer to any command; ``images export`` writes the archive it is given."""
    if "export" in argv:
        write_archive(argv[argv.index("--") + 1])
    return 0, "{}" if "info" in argv else "", ""


def write_archive(path, names=("index.json", "oci-layout")):
    """A small tar with ``names`` (an image archive has index.json), as ctr images export writes one."""
    with tarfile.open(path, "w") as archive:
        for name in names:
            member = tarfile.TarInfo(name)
            member.size = 2
            archive.addfile(member, io.BytesIO(b"{}"))


def run(client, operation, *args, **kwargs):
    """The ctr arguments (after the global flags) of each command ``operation`` ran."""
    client.runner = StubRunner(*[answer] * 4)
    getattr(client, operation)(*args, **kwargs)
    return [argv[9:] for argv in client.runner.calls]


OPERATIONS = [
    ("create_container", ("c1", "docker.io/library/busybox:1", {
        "command": ["sh", "-c", "echo --rm --help -c"], "tty": True, "privileged": True, "read_only": True,
        "net_host": True, "labels": {"a": "-1"}, "env": {"B": "-2"}, "working_dir": "/w", "user": "1"})),
    ("label_container", ("c1", {"k": "--replace-all=true"})),
    ("delete_container", ("c1",)),
    ("container_info", ("c1",)),
    ("start_task", ("c1",)),
    ("start_task", ("c1", "file:///l")),
    ("pause_task", ("c1",)),
    ("resume_task", ("c1",)),
    ("kill_task", ("c1", "SIGTERM")),
    ("delete_exec", ("c1", "e1")),
    ("pull_image", (reference.parse("r.example.com/a:1"), RegistryOptions(plain_http=True, skip_verify=True),
                    None, True, "native", True)),
    ("push_image", (reference.parse("r.example.com/a:1"), RegistryOptions(plain_http=True))),
    ("import_image", ("/a.tar", None, True, False)),
    ("tag_image", ("docker.io/library/a:1", "docker.io/library/b:1")),
    ("remove_images", (["docker.io/library/a:1"],)),
    ("set_image_labels", ("docker.io/library/a:1", {"x": "--replace-all=true"})),
    ("unmount_image", ("/mnt/x", "native")),
    ("create_namespace", ("web", {"a": "-1"})),
    ("set_namespace_labels", ("web", {"a": "-1"})),
    ("remove_namespace", ("web",)),
]


# the flags the client gives with their value as the next word (every release takes that word as the value)
VALUE_FLAGS = {"--snapshotter", "--runtime", "--label", "--env", "--mount", "--cwd", "--hostname", "--user",
               "--with-ns", "--memory-limit", "--cpu-quota", "--cpu-period", "--log-uri", "--signal", "--exec-id",
               "--platform", "--hosts-dir"}


@pytest.mark.parametrize("operation,args", OPERATIONS, ids=["%s-%d" % (op[0], n) for n, op in enumerate(OPERATIONS)])
def test_every_command_puts_its_flags_before_a_separator_and_no_boolean_bare(client, operation, args):
    for call in run(client, operation, *args):
        assert call.count("--") == 1, call
        words = iter(call[2:call.index("--")])
        for word in words:
            if word in VALUE_FLAGS:
                next(words)
            else:  # a boolean: never bare (ctr 1.6 would take the "--" after it as its value)
                assert word.startswith("--") and word.endswith("=true"), call


def test_a_container_command_comes_after_the_separator_unchanged(client):
    (create,) = run(client, "create_container", "c1", "docker.io/library/busybox:1",
                    {"command": ["sh", "-c", "echo --rm --help -c"], "tty": True})
    assert create[create.index("--"):] == ["--", "docker.io/library/busybox:1", "c1", "sh", "-c", "echo --rm --help -c"]
    assert "--tty=true" in create[:create.index("--")]


def test_exec_arguments_come_after_the_separator_unchanged(client):
    client.runner = StubRunner(shim_logged(0))
    client.exec_capture("c1", ["sh", "-c", "echo --rm --help -c", HOSTILE], "e1", cwd="/", user="1")
    args = client.runner.calls[0][9:]
    assert args[:3] == ["tasks", "exec", "--exec-id"]
    assert args[-6:] == ["--", "c1", "sh", "-c", "echo --rm --help -c", HOSTILE]
    streaming = client.exec_argv("c1", ["sh", "-c", "x"], "e2")
    assert streaming[-5:] == ["--", "c1", "sh", "-c", "x"] and "--timeout" not in streaming


def test_a_label_key_or_value_that_looks_like_a_flag_stays_an_operand(client):
    (label,) = run(client, "set_image_labels", "docker.io/library/a:1", {"x": "--replace-all=true"})
    assert label == ["images", "label", "--", "docker.io/library/a:1", "x=--replace-all=true"]


# ---- flags chosen by the ctr client's release ----------------------------------------------------------

def uses_transfer_service(pair):
    client, daemon = pair
    return client >= "2" and daemon >= "2"


def test_import_runs_in_ctr_and_names_local_only_where_ctr_has_the_flag(client, pair):
    (imported,) = run(client, "import_image", "/a.tar")
    # ctr 1.6 has no --local ("flag provided but not defined: -local"), ctr 1.7 imports in ctr by default
    assert imported == ["images", "import"] + (["--local=true"] if pair[0] >= "2" else []) + ["--", "/a.tar"]


def test_export_runs_in_ctr_wherever_ctr_has_the_flag(client, pair, tmp_path):
    # the 2.x transfer service's export stream came out truncated under load (containerd 2.1.9)
    (exported,) = run(client, "export_image", str(tmp_path / "out.tar"), ["docker.io/library/a:1"])
    assert ("--local=true" in exported) is (pair[0] >= "2"), exported


def test_a_cut_archive_never_replaces_the_exported_file(client, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "out.tar"
    target.write_text("the archive of the last run")

    def cut(argv):
        with open(argv[argv.index("--") + 1], "wb") as archive:
            archive.write(b"x" * 700)  # less than one tar block: not a whole archive
        return 0, "", ""

    client.runner = StubRunner(cut)
    with pytest.raises(errors.ArchiveError, match="incomplete archive"):
        client.export_image(str(target), ["docker.io/library/a:1"])
    assert target.read_text() == "the archive of the last run" and os.listdir(target.parent) == ["out.tar"]


@pytest.mark.parametrize("operation,args", [
    ("tag_image", ("docker.io/library/a:1", "docker.io/library/b:1")),
    ("pull_image", (reference.parse("r.example.com/a:1"), RegistryOptions())),
    ("push_image", (reference.parse("r.example.com/a:1"), RegistryOptions())),
])
def test_ctr_2_runs_transfers_itself_against_a_daemon_without_the_transfer_service(client, pair, operation, args):
    (call,) = run(client, operation, *args)
    expect_local = pair[0] >= "2" and not uses_transfer_service(pair)
    assert ("--local=true" in call) is expect_local, call
    assert "--local" not in call


def test_skip_verify_asks_for_local_only_from_ctr_2(client, pair):
    (pull,) = run(client, "pull_image", reference.parse("r.example.com/a:1"), RegistryOptions(skip_verify=True))
    assert ("--local=true" in pull) is (pair[0] >= "2")


def test_user_and_hostname_follow_the_ctr_binary_not_the_daemon(client, pair):
    missing = client.unsupported(["container_user", "container_hostname"])
    if pair[0] == "1.6":
        assert missing == ("user and hostname need containerd 1.7 or later: ctr 1.6.20 cannot set them")
    else:
        assert missing is None


def test_a_command_ending_in_a_shell_completion_word_is_refused_before_ctr_runs(client):
    client.runner = StubRunner()
    for word in ("--generate-bash-completion", "--generate-shell-completion"):
        with pytest.raises(errors.InvalidArgument, match="shell completion"):
            client.exec_capture("c1", ["echo", word], "e1")
        with pytest.raises(errors.InvalidArgument, match="shell completion"):
            client.create_container("c1", "docker.io/library/busybox:1", {"command": ["echo", word]})
    assert client.runner.calls == []
    assert run(client, "create_container", "c1", "docker.io/library/busybox:1",
               {"command": ["echo", "--generate-bash-completion", "x"]})


# ---- ctr 2.4 splits string-slice flag values at commas (containerd issue 14181) ------------------------

@pytest.mark.parametrize("version,splits", [((1, 6, 20), False), ((1, 7, 24), False), ((2, 1, 9), False),
                                            ((2, 3, 6), False), ((2, 4, 0), True), ((2, 4, 3), True),
                                            ((2, 5, 0), False)])
def test_only_ctr_2_4_is_taken_to_split_slice_flag_values_at_commas(version, splits):
    assert ctr_args.splits_slice_values(version) is splits


def test_a_label_with_a_comma_is_set_as_an_operand_by_ctr_2_4_and_as_a_flag_by_the_others(client, pair):
    calls = run(client, "create_container", "c1", "docker.io/library/busybox:1", {"labels": {"a": "b,c", "d": "e"}})
    create = calls[0][:calls[0].index("--")]
    if pair[0] == "2.4":
        assert "a=b,c" not in create and create[create.index("--label") + 1] == "d=e"
        assert calls[1] == ["containers", "label", "--", "c1", "a=b,c"]
    else:
        assert create[create.index("--label") + 1] == "a=b,c" and len(calls) == 1


def test_a_stop_signal_and_a_label_with_a_comma_are_set_in_one_label_command_by_ctr_2_4(client, pair):
    calls = run(client, "create_container", "c1", "docker.io/library/busybox:1",
                {"labels": {"a": "b,c"}, "stop_signal": "SIGINT"})
    expected = ["a=b,c"] if pair[0] == "2.4" else []
    assert calls[1:] == [["containers", "label", "--", "c1"] + expected + ["io.containerd.image.config.stop-signal=SIGINT"]]


def test_an_env_value_with_a_comma_is_refused_by_its_name_for_ctr_2_4_and_given_as_is_to_the_others(client, pair):
    options = {"env": {"SECRET": "a,b", "PLAIN": "c"}}
    if pair[0] == "2.4":
        client.runner = StubRunner()
        with pytest.raises(errors.InvalidContainerOptions, match=r"^env: .*--env.*SECRET") as raised:
            client.create_container("c1", "docker.io/library/busybox:1", options)
        assert "a,b" not in str(raised.value) and client.runner.calls == []
    else:
        (create,) = run(client, "create_container", "c1", "docker.io/library/busybox:1", options)
        assert "SECRET=a,b" in create[:create.index("--")]


def test_a_mount_is_refused_for_ctr_2_4_and_given_with_its_commas_to_the_others(client, pair):
    options = {"mounts": [{"type": "bind", "source": "/a", "target": "/b", "options": ["rbind", "ro"]}]}
    if pair[0] == "2.4":
        with pytest.raises(errors.InvalidContainerOptions, match=r"^mounts: .*--mount"):
            client.create_container("c1", "docker.io/library/busybox:1", options)
    else:
        (create,) = run(client, "create_container", "c1", "docker.io/library/busybox:1", options)
        assert create[create.index("--mount") + 1] == "type=bind,src=/a,dst=/b,options=rbind:ro"


def test_a_network_namespace_path_with_a_comma_is_refused_for_ctr_2_4(client, pair):
    options = {"network_namespace": "/run/netns/a,b"}
    if pair[0] == "2.4":
        with pytest.raises(errors.InvalidContainerOptions, match=r"^network_namespace: .*--with-ns"):
            client.create_container("c1", "docker.io/library/busybox:1", options)
    else:
        (create,) = run(client, "create_container", "c1", "docker.io/library/busybox:1", options)
        assert "network:/run/netns/a,b" in create
