# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image module's converge code (_image/converge.py): what it runs, predicts and reports, per ctr version.

ctr is stubbed at the process layer (the stub runner answers with captured ``ctr images ls/check`` output of
1.6, 1.7 and 2.x); the registry digest look-up is stubbed at the registry-client seam.
"""
import copy
import io
import json
import tarfile

import pytest
from test_archive import tar_with

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidOptions, NotFound
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._image import converge, registry_options
from ansible_collections.containerd.runtime.plugins.modules.image import ARGUMENT_SPEC

NAME = "docker.io/library/busybox:test"
OLD = "sha256:f83f40b484fc75d7381787306a07b024f6259930804b01434b2fdb0ebc4a8afd"  # the captured image's
NEW = "sha256:" + "e" * 64
STABLE = "docker.io/library/busybox:prod"  # as long as NAME: ctr tables are cut at column positions
OK = (0, "", "")


@pytest.fixture(autouse=True)
def no_default_hosts_dir(monkeypatch, tmp_path):
    """The host's /etc/containerd/certs.d must not leak into the argv under test."""
    monkeypatch.setattr(registry_options, "DEFAULT_HOSTS_DIR", str(tmp_path / "no-certs.d"))


@pytest.fixture
def client(versioned_client):
    return versioned_client


class Registry(object):
    """Stands in for RegistryClient: the digest each reference has, and the look-ups asked."""

    def __init__(self, digests=None):
        self.digests = digests or {}
        self.asked = []

    def digest(self, ref, capability="resolve"):
        self.asked.append((str(ref), capability))
        return self.digests.get(str(ref))


def params(**values):
    """The image module's parameters as AnsibleModule hands them over (defaults of its argument spec)."""
    made = dict((key, spec.get("default")) for key, spec in ARGUMENT_SPEC.items())
    made.update(name="busybox:test", **values)
    return made


def listed(captured, digest=OLD, labels=None, extra=()):
    """``ctr images ls`` with busybox:test at ``digest`` (None: not listed) and ``extra`` names at the same digest."""
    header, row = captured("images-ls.txt").splitlines()[:2]
    row = row.replace(OLD, digest or OLD)
    if labels:
        row = row.rstrip()[:-1] + labels
    rows = ([row] if digest else []) + [row.replace(NAME, name, 1) for name in extra]
    return (0, "\n".join([header] + rows) + "\n", "")


def checked(captured, digest=OLD, unpacked=True):
    header, row = captured("images-check.txt").splitlines()[:2]
    row = row.replace(OLD, digest or OLD)
    if not unpacked:
        row = row.replace(" true", " false")
    return (0, "\n".join([header] + ([row] if digest else [])) + "\n", "")


def run(client, module_params, check=False, diff=True, registry=None):
    frozen = copy.deepcopy(module_params)
    name, tags = converge.validate(module_params)
    outcome = converge.ImageConverger(module_params, client, RunContext(check_mode=check, diff=diff), name, tags,
                                      registry=registry or Registry()).converge()
    assert module_params == frozen, "converge changed its parameters"
    return outcome.result(diff=diff)


def ctr_calls(client):
    """The ctr subcommands run after ``ctr version`` (the connection flags and the ``--`` that ends ctr's flags cut
    off: tests/unit/plugins/module_utils/_ctr/ asserts where it goes)."""
    return [drop_separator(argv[9:]) for argv in client.runner.calls[1:]]


def drop_separator(args):
    return args[:args.index("--")] + args[args.index("--") + 1:] if "--" in args else args


# ---- pull: missing --------------------------------------------------------------------------------------

def test_a_present_complete_image_is_not_pulled_again(client, captured):
    client.runner.replies += [listed(captured), checked(captured), listed(captured)]
    result = run(client, params())
    assert result["changed"] is False and result["actions"] == []
    assert [call[:2] for call in ctr_calls(client)] == [["images", "ls"], ["images", "check"], ["images", "ls"]]
    assert result["image"]["digest"] == OLD and result["image"]["platforms"] == ["linux/amd64"]


def test_an_absent_image_is_pulled(client, captured):
    client.runner.replies += [listed(captured, None), OK, listed(captured), checked(captured), listed(captured)]
    result = run(client, params())
    assert ctr_calls(client)[1] == ["images", "pull", NAME]
    assert result["changed"] is True
    assert result["actions"] == ["pulled %s (sha256:f83f40b484fc)" % NAME]
    assert result["diff"] == {"before": {"digest": None, "state": "absent"}, "after": {"digest": OLD, "state": "present"}}


def test_check_mode_predicts_the_pull_of_an_absent_image_from_the_registry(client, captured):
    client.runner.replies += [listed(captured, None)]
    registry = Registry({NAME: OLD})
    result = run(client, params(), check=True, registry=registry)
    assert ctr_calls(client) == [["images", "ls"]]
    assert registry.asked == [(NAME, "resolve")]
    assert result["changed"] is True and result["actions"] == ["pulled %s (sha256:f83f40b484fc)" % NAME]
    assert result["image"] == {"name": NAME, "digest": OLD, "media_type": None, "size": None, "size_bytes": None,
                               "platforms": [], "labels": {}, "tags": [], "mount_path": None}


def test_check_mode_fails_when_the_registry_has_no_such_image(client, captured):
    client.runner.replies += [listed(captured, None)]
    with pytest.raises(NotFound, match="not found in its registry"):
        run(client, params(), check=True, registry=Registry())


def test_an_image_not_unpacked_is_pulled_again(client, captured):
    client.runner.replies += [listed(captured), checked(captured, unpacked=False), OK, listed(captured),
                              checked(captured), listed(captured)]
    result = run(client, params())
    assert result["actions"] == ["pulled %s again (not unpacked locally)" % NAME]


def test_a_pull_for_another_snapshotter_runs_in_ctr_on_2x(client, captured):
    client.runner.replies += [listed(captured, None), OK, listed(captured), checked(captured), listed(captured)]
    run(client, params(snapshotter="native"))
    local = ["--local=true"] if client.two else []
    assert ctr_calls(client)[1] == ["images", "pull"] + local + ["--snapshotter", "native", NAME]


# ---- pull: always -------------------------------------------------------------------------------------

def test_pull_always_reports_the_moved_digest(client, captured):
    client.runner.replies += [listed(captured), checked(captured), OK, listed(captured, NEW),
                              checked(captured, NEW), listed(captured, NEW)]
    result = run(client, params(pull="always"))
    assert ctr_calls(client)[2] == ["images", "pull", NAME]
    assert result["actions"] == ["pulled %s: sha256:f83f40b484fc -> sha256:eeeeeeeeeeee" % NAME]
    assert result["diff"] == {"before": {"digest": OLD}, "after": {"digest": NEW}}
    assert result["image"]["digest"] == NEW


def test_pull_always_in_check_mode_predicts_the_moved_digest_without_pulling(client, captured):
    client.runner.replies += [listed(captured), checked(captured)]
    registry = Registry({NAME: NEW})
    result = run(client, params(pull="always"), check=True, registry=registry)
    assert [call[1] for call in ctr_calls(client)] == ["ls", "check"]
    assert result["changed"] is True
    assert result["actions"] == ["pulled %s: sha256:f83f40b484fc -> sha256:eeeeeeeeeeee" % NAME]
    assert result["image"]["digest"] == NEW


def test_pull_always_with_an_unmoved_digest_changes_nothing(client, captured):
    client.runner.replies += [listed(captured), checked(captured), OK, listed(captured), checked(captured),
                              listed(captured)]
    result = run(client, params(pull="always"))
    assert result["changed"] is False and result["actions"] == []


def test_pull_always_in_check_mode_with_an_unmoved_digest_predicts_no_change(client, captured):
    client.runner.replies += [listed(captured), checked(captured), listed(captured)]
    result = run(client, params(pull="always"), check=True, registry=Registry({NAME: OLD}))
    assert result["changed"] is False and "pull" not in [call[1] for call in ctr_calls(client)]


# ---- tags, labels, removal ----------------------------------------------------------------------------

def test_a_missing_tag_is_added(client, captured):
    client.runner.replies += [listed(captured), checked(captured), OK, listed(captured, extra=[STABLE])]
    result = run(client, params(source="local", tags=["busybox:prod", "busybox:test"]))
    assert ctr_calls(client)[1] == ["images", "tag", "--force=true", NAME, STABLE]
    assert result["actions"] == ["tagged %s as %s" % (NAME, STABLE)]
    assert result["diff"]["before"]["tags"] == {STABLE: None} and result["diff"]["after"]["tags"] == {STABLE: OLD}
    assert result["image"]["tags"] == [STABLE]


def test_a_tag_at_another_digest_is_moved(client, captured):
    header, row = listed(captured)[1].splitlines()
    moved = row.replace(NAME, STABLE, 1).replace(OLD, NEW)
    client.runner.replies += [(0, "\n".join([header, row, moved]) + "\n", ""), OK, listed(captured, extra=[STABLE])]
    result = run(client, params(source="local", tags=["busybox:prod"]))
    assert result["actions"] == ["moved tag %s from sha256:eeeeeeeeeeee to sha256:f83f40b484fc" % STABLE]


def test_check_mode_predicts_a_tag_without_running_ctr_tag(client, captured):
    client.runner.replies += [listed(captured), listed(captured)]
    result = run(client, params(source="local", tags=["busybox:prod"]), check=True)
    assert "tag" not in [call[1] for call in ctr_calls(client)]
    assert result["changed"] is True and result["actions"] == ["tagged %s as %s" % (NAME, STABLE)]


def test_labels_are_set_and_reported(client, captured):
    client.runner.replies += [listed(captured), OK, listed(captured, labels="team=web")]
    result = run(client, params(source="local", labels={"team": "web"}))
    assert ctr_calls(client)[1] == ["images", "label", NAME, "team=web"]
    assert result["actions"] == ["set labels of %s: team" % NAME]
    assert result["diff"] == {"before": {"labels": {}}, "after": {"labels": {"team": "web"}}}
    assert result["image"]["labels"] == {"team": "web"}


def test_labels_already_there_change_nothing(client, captured):
    client.runner.replies += [listed(captured, labels="team=web"), listed(captured, labels="team=web")]
    result = run(client, params(source="local", labels={"team": "web"}))
    assert result["changed"] is False and [call[1] for call in ctr_calls(client)] == ["ls", "ls"]


def test_purge_labels_removes_the_unlisted_ones(client, captured):
    client.runner.replies += [listed(captured, labels="team=web"), OK, listed(captured)]
    result = run(client, params(source="local", labels={}, purge_labels=True))
    assert ctr_calls(client)[1] == ["images", "label", NAME, "team="]
    assert result["actions"] == ["set labels of %s: team" % NAME]


def test_absent_removes_the_image_and_its_tags(client, captured):
    client.runner.replies += [listed(captured, extra=[STABLE]), OK]
    result = run(client, params(state="absent", tags=["busybox:prod"]))
    assert ctr_calls(client)[1] == ["images", "rm", NAME, STABLE]
    assert result["actions"] == ["removed %s, %s" % (NAME, STABLE)]
    assert result["image"] is None
    assert result["diff"] == {"before": {"state": "present", "digest": {NAME: OLD, STABLE: OLD}},
                              "after": {"state": "absent", "digest": {NAME: None, STABLE: None}}}


def test_absent_in_check_mode_removes_nothing(client, captured):
    client.runner.replies += [listed(captured)]
    result = run(client, params(state="absent"), check=True)
    assert ctr_calls(client) == [["images", "ls"]]
    assert result["changed"] is True and result["actions"] == ["removed %s" % NAME]


def test_absent_when_already_gone_changes_nothing(client, captured):
    client.runner.replies += [listed(captured, None)]
    result = run(client, params(state="absent"))
    assert result == {"changed": False, "image": None, "actions": [], "diff": {"before": {}, "after": {}}}


def test_source_local_fails_for_a_missing_image(client, captured):
    client.runner.replies += [listed(captured, None)]
    with pytest.raises(NotFound, match="source=local does not fetch it"):
        run(client, params(source="local"))


# ---- archives ---------------------------------------------------------------------------------------

def oci_archive(tmp_path, digest=OLD, name=NAME):
    index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                "digest": digest, "size": 1,
                                                "annotations": {"io.containerd.image.name": name}}]}
    return tar_with(tmp_path, {"index.json": json.dumps(index).encode("utf-8")})


def test_an_absent_image_is_imported_from_the_archive(client, captured, tmp_path):
    path = oci_archive(tmp_path)
    client.runner.replies += [listed(captured, None), OK, listed(captured), checked(captured), listed(captured)]
    result = run(client, params(source="import", archive_path=path))
    local = ["--local=true"] if client.two else []
    assert ctr_calls(client)[1] == ["images", "import"] + local + [path]
    assert result["actions"] == ["imported %s from %s" % (NAME, path)]


def test_an_archive_with_a_new_digest_is_imported_again(client, captured, tmp_path):
    path = oci_archive(tmp_path, NEW)
    client.runner.replies += [listed(captured), checked(captured), OK, listed(captured, NEW),
                              checked(captured, NEW), listed(captured, NEW)]
    result = run(client, params(source="import", archive_path=path))
    assert result["actions"] == ["imported %s from %s: sha256:f83f40b484fc -> sha256:eeeeeeeeeeee" % (NAME, path)]
    assert result["image"]["digest"] == NEW


def test_an_archive_with_the_same_digest_is_not_imported(client, captured, tmp_path):
    path = oci_archive(tmp_path)
    client.runner.replies += [listed(captured), checked(captured), listed(captured)]
    result = run(client, params(source="import", archive_path=path))
    assert result["changed"] is False and "import" not in [call[1] for call in ctr_calls(client)]


def test_check_mode_predicts_the_import_without_running_ctr_import(client, captured, tmp_path):
    path = oci_archive(tmp_path)
    client.runner.replies += [listed(captured, None)]
    result = run(client, params(source="import", archive_path=path), check=True)
    assert ctr_calls(client) == [["images", "ls"]]
    assert result["actions"] == ["imported %s from %s" % (NAME, path)] and result["image"]["digest"] == OLD


def test_export_writes_the_archive_through_a_partial_file(client, captured, tmp_path, stub_runner):
    target = str(tmp_path / "out.tar")

    class Exporting(stub_runner):
        """Writes the file ctr names, as ctr images export does."""

        def __call__(self, argv, data=None):
            if argv[9:11] == ["images", "export"]:
                with tarfile.open(argv[argv.index("--") + 1], "w") as archive:
                    member = tarfile.TarInfo("index.json")
                    member.size = 2
                    archive.addfile(member, io.BytesIO(b"{}"))
            return super(Exporting, self).__call__(argv, data)

    client.runner = Exporting(*client.runner.replies)
    client.runner.replies += [listed(captured), checked(captured), OK, listed(captured)]
    result = run(client, params(export_path=target))
    call = [word for word in drop_separator(client.runner.calls[2][9:]) if word != "--local=true"]  # ctr 2.x
    assert call[:2] == ["images", "export"] and call[2].startswith(target + ".partial-") and call[3:] == [NAME]
    with tarfile.open(target) as archive:
        assert archive.getnames() == ["index.json"]
    assert result["actions"] == ["exported %s to %s" % (NAME, target)]
    assert result["diff"]["after"]["export"] == {"path": target, "digest": OLD}


def test_check_mode_predicts_the_export_without_writing(client, captured, tmp_path):
    target = tmp_path / "out.tar"
    client.runner.replies += [listed(captured), checked(captured), listed(captured)]
    result = run(client, params(export_path=str(target)), check=True)
    assert result["actions"] == ["exported %s to %s" % (NAME, target)] and not target.exists()


# ---- push ---------------------------------------------------------------------------------------------

def test_push_skips_what_the_registry_already_serves(client, captured):
    client.runner.replies += [listed(captured), checked(captured), OK, OK, listed(captured, extra=[STABLE])]
    registry = Registry({NAME: OLD})
    result = run(client, params(push=True, tags=["busybox:prod"]), registry=registry)
    assert ("docker.io/library/busybox:prod", "push") in registry.asked
    assert [call for call in ctr_calls(client) if call[1] == "push"] == [["images", "push", STABLE]]
    assert result["actions"] == ["tagged %s as %s" % (NAME, STABLE), "pushed %s (sha256:f83f40b484fc)" % STABLE]


# ---- options ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("values,message", [
    (dict(name="Busybox"), "name: invalid image reference 'Busybox'"),
    (dict(source="import"), "source=import needs archive_path"),
    (dict(archive_path="/a.tar"), "archive_path is only used with source=import"),
    (dict(password="x"), "password needs username"),
    (dict(platform="linux/amd64", all_platforms=True), "platform and all_platforms exclude each other"),
    (dict(plain_http=True, skip_verify=True), "plain_http and skip_verify exclude each other"),
])
def test_bad_options_are_rejected_before_anything_runs(values, message):
    module_params = params()
    module_params.update(values)
    with pytest.raises(InvalidOptions) as raised:
        converge.validate(module_params)
    assert message in raised.value.message


def test_tags_are_normalised_and_deduplicated():
    name, tags = converge.validate(params(tags=["busybox:prod", "docker.io/library/busybox:prod", "busybox:test"]))
    assert str(name) == NAME and [str(tag) for tag in tags] == [STABLE]
