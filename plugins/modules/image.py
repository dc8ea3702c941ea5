#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image
short_description: Pull, import, tag, push, export, label, mount and remove containerd images
version_added: 0.4.0
description:
  - Makes an image present in (or absent from) a containerd namespace, idempotently
    (C(ctr images pull|import|tag|push|export|label|mount|unmount|rm)).
  - An image whose content is incomplete locally (C(ctr images check) says so, for example after its
    content was garbage-collected) counts as missing and is pulled or imported again.
  - Check mode predicts truthfully without changing anything. For O(pull=always) and O(push) it asks the
    registry which manifest digest it serves (registry HTTP API v2, C(HEAD) on the manifest, with basic or
    bearer-token authentication).
author:
  - containerd.runtime developers (@containerd-runtime)
extends_documentation_fragment:
  - containerd.runtime.connection
  - containerd.runtime.connection.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description:
      - Image reference. Short names are normalised the way docker users expect; V(busybox) becomes
        V(docker.io/library/busybox:latest), V(nginx:1.27) becomes V(docker.io/library/nginx:1.27), and
        V(repo@sha256:...) keeps its digest. The canonical reference is returned in RV(image.name).
      - An invalid reference fails before anything runs.
    type: str
    required: true
  state:
    description:
      - V(present) makes the image present (from O(source)); V(absent) removes O(name) and O(tags).
    type: str
    choices: [present, absent]
    default: present
  source:
    description:
      - Where the image comes from when it is missing or incomplete.
      - V(pull) pulls it from its registry; V(import) reads O(archive_path); V(local) means it must already
        exist (for tagging, labelling, pushing or exporting an image built or imported elsewhere).
    type: str
    choices: [pull, import, local]
    default: pull
  archive_path:
    description:
      - With O(source=import), the archive to import (OCI layout or Docker format, as C(ctr images import)
        reads them).
      - The image is imported again when the archive holds a different digest for O(name) than the image
        has. When the archive holds a single image under another name, that image is imported and named
        O(name).
    type: path
  pull:
    description:
      - V(missing) pulls only when the image is missing or incomplete, and then does no network I/O at all.
      - V(always) asks the registry for the current digest and reports a change only when the local image
        moved to a new digest.
    type: str
    choices: [missing, always]
    default: missing
  platform:
    description:
      - Platform to pull, import, export, push or mount (V(linux/arm64)); default the host's platform.
    type: str
  all_platforms:
    description:
      - Pull, import or export the content of every platform.
    type: bool
    default: false
  unpack:
    description:
      - Unpack the image for O(snapshotter) (an image used by a container must be unpacked for that
        container's snapshotter). An image present but not unpacked is pulled or imported again.
      - V(false) only affects O(source=import) (C(--no-unpack)); C(ctr images pull) always unpacks.
    type: bool
    default: true
  snapshotter:
    description:
      - Snapshotter to unpack for, and to mount with; default containerd's default snapshotter.
    type: str
  plain_http:
    description:
      - Talk to the registry over plain HTTP.
    type: bool
    default: false
  skip_verify:
    description:
      - Do not verify the registry's TLS certificate. Prefer a CA in O(hosts_dir).
    type: bool
    default: false
  hosts_dir:
    description:
      - A containerd C(certs.d) directory (C(<hosts_dir>/<registry>/hosts.toml)) with mirrors, CA files and
        headers for registries. C(ctr) does not read the daemon's CRI registry configuration, so these
        only apply when passed this way.
      - Default C(/etc/containerd/certs.d) when that directory exists.
    type: path
  username:
    description:
      - User name for the registry.
    type: str
  password:
    description:
      - Password (or token) for O(username). Never shown in the output.
    type: str
  tags:
    description:
      - Further references that must point at the same image (C(ctr images tag --force)); a tag that points
        at another image is moved, and reported.
    type: list
    elements: str
  push:
    description:
      - Push O(name) and O(tags) to their registries. Skipped, without a change, when the registry already
        serves the same manifest digest.
    type: bool
    default: false
  export_path:
    description:
      - Write an archive of the image (OCI layout with a Docker C(manifest.json)) to this file. The archive
        is rewritten only when the digest it holds for O(name) differs from the image's.
    type: path
  labels:
    description:
      - Labels the image must carry. A label given with an empty value or V(null) is removed.
      - Values must not contain a comma, since C(ctr) lists labels comma-separated.
    type: dict
  purge_labels:
    description:
      - Remove labels that are not listed in O(labels).
    type: bool
    default: false
  mount_path:
    description:
      - Keep a read-only mount of the image's filesystem at this directory (created when missing)
        (C(ctr images mount)); with O(mounted=false) unmount it (C(ctr images unmount --rm)).
      - A mount already at the path is kept as it is.
    type: path
  mounted:
    description:
      - Whether O(mount_path) is mounted. With O(state=absent) the mount is always removed.
    type: bool
    default: true
notes:
  - The password is passed to C(ctr --user) and masked in every result field (it is C(no_log)).
"""

EXAMPLES = r"""
- name: Pull busybox once (docker.io/library/busybox:latest)
  containerd.runtime.image:
    name: busybox

- name: Keep nginx at what the registry serves now
  containerd.runtime.image:
    name: nginx:1.27
    pull: always
  register: nginx

- name: Import an archive, tag it for a private registry and push it there
  containerd.runtime.image:
    name: registry.example.com/tools/app:1.0
    source: import
    archive_path: /srv/images/app-1.0.tar
    tags:
      - registry.example.com/tools/app:stable
    push: true
    username: deploy
    password: "{{ registry_password }}"

- name: Export the image and look inside it
  containerd.runtime.image:
    name: busybox
    export_path: /srv/backup/busybox.tar
    mount_path: /mnt/busybox

- name: Remove an image
  containerd.runtime.image:
    name: nginx:1.27
    state: absent
"""

RETURN = r"""
image:
  description: The image after the task (its prediction in check mode); V(null) when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Canonical reference.
      type: str
      sample: docker.io/library/busybox:latest
    digest:
      description: Digest of the image's manifest (or index); V(null) when check mode cannot know it yet.
      type: str
      sample: sha256:f83f40b484fc75d7381787306a07b024f6259930804b01434b2fdb0ebc4a8afd
    media_type:
      description: Media type of the manifest or index.
      type: str
    size:
      description: Size as ctr shows it.
      type: str
      sample: 1008.1 KiB
    size_bytes:
      description: Approximate size in bytes.
      type: int
    platforms:
      description: Platforms of the image.
      type: list
      elements: str
      sample: [linux/amd64]
    labels:
      description: Labels of the image.
      type: dict
    tags:
      description: The canonical references of O(tags).
      type: list
      elements: str
    mount_path:
      description: Where the image is mounted, when it is.
      type: str
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: str
  sample: ["pulled docker.io/library/busybox:latest (sha256:f83f...)"]
diff:
  description: Before and after of what differed (digests, tags, labels, pushes, export, mount).
  returned: when diff mode is on
  type: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils import reference
from ansible_collections.containerd.runtime.plugins.module_utils.client_images import RegistryOptions
from ansible_collections.containerd.runtime.plugins.module_utils.common import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils.diff import Differences, labels_delta
from ansible_collections.containerd.runtime.plugins.module_utils.errors import ContainerdError, NotFound
from ansible_collections.containerd.runtime.plugins.module_utils.identifiers import label_errors
from ansible_collections.containerd.runtime.plugins.module_utils.image_archive import (
    ArchiveError,
    archive_digest,
    archive_images,
)
from ansible_collections.containerd.runtime.plugins.module_utils.registry import (
    DEFAULT_HOSTS_DIR,
    RegistryClient,
)


def validate(module):
    """Parse the references and check option combinations before anything runs."""
    params = module.params
    errors = []
    refs = {}
    for key, values in (("name", [params["name"]]), ("tags", params["tags"] or [])):
        for value in values:
            try:
                refs.setdefault(key, []).append(reference.parse(value))
            except reference.InvalidReference as exc:
                errors.append("%s: %s" % (key, exc.message))
    errors += label_errors(params["labels"])
    if params["state"] == "present" and params["source"] == "import" and not params["archive_path"]:
        errors.append("source=import needs archive_path")
    if params["archive_path"] and params["source"] != "import":
        errors.append("archive_path is only used with source=import")
    if params["password"] is not None and not params["username"]:
        errors.append("password needs username")
    if params["platform"] and params["all_platforms"]:
        errors.append("platform and all_platforms exclude each other")
    if params["plain_http"] and params["skip_verify"]:
        errors.append("plain_http and skip_verify exclude each other (skip_verify is for HTTPS registries)")
    if params["export_path"] and os.path.isdir(params["export_path"]):
        errors.append("export_path %s is a directory; give the archive's file name" % params["export_path"])
    if errors:
        module.fail_json(msg="; ".join(errors))
    name = refs["name"][0]
    tags = []
    for tag in refs.get("tags", []):
        if tag != name and tag not in tags:
            tags.append(tag)
    return name, tags


def registry_options(module):
    params = module.params
    hosts_dir = params["hosts_dir"]
    if hosts_dir is None and os.path.isdir(DEFAULT_HOSTS_DIR):
        hosts_dir = DEFAULT_HOSTS_DIR
    return RegistryOptions(plain_http=params["plain_http"], skip_verify=params["skip_verify"], hosts_dir=hosts_dir,
                           username=params["username"], password=params["password"])


def short(digest):
    return (digest or "unknown digest")[:19]


class Converger(object):
    """Desired vs actual for one image; acts unless check mode."""

    def __init__(self, module, client, name, tags):
        self.module = module
        self.client = client
        self.params = module.params
        self.name = name
        self.tags = tags
        self.check = module.check_mode
        self.differences = Differences()
        self.actions = []
        self.options = registry_options(module)
        self.registry = RegistryClient(
            username=self.options.username, password=self.options.password, plain_http=self.options.plain_http,
            skip_verify=self.options.skip_verify, hosts_dir=self.options.hosts_dir, timeout=self.params["timeout"])
        self._listing = None
        self._checked = None

    # ---- what is there ----------------------------------------------------------------------------

    def listing(self, refresh=False):
        if self._listing is None or refresh:
            self._listing = dict((image["name"], image) for image in self.client.images())
        return self._listing

    def checked(self, refresh=False):
        if self._checked is None or refresh:
            self._checked = self.client.image_check(self.params["snapshotter"])
        return self._checked

    def usable(self, image):
        """Present, complete and (when unpack) unpacked: nothing to fetch."""
        if image is None:
            return False
        check = self.checked().get(image["name"])
        if check is None or not check["complete"]:
            return False
        if self.params["unpack"] and not check["unpacked"]:
            return False
        return True

    def why_missing(self, image):
        if image is None:
            return "missing"
        check = self.checked().get(image["name"])
        if check is None or not check["complete"]:
            return "incomplete"
        return "not unpacked"

    # ---- present ----------------------------------------------------------------------------------

    def present(self):
        before = self.listing().get(str(self.name))
        source = self.params["source"]
        if source == "pull":
            digest = self.ensure_pulled(before)
        elif source == "import":
            digest = self.ensure_imported(before)
        else:
            if before is None:
                raise NotFound("image %s does not exist in namespace %s, and source=local does not fetch it: pull "
                               "or import it first" % (self.name, self.client.namespace))
            digest = before["digest"]
        self.differences.compare("digest", before["digest"] if before else None, digest)
        if before is None:
            self.differences.add("state", "absent", "present")
        self.ensure_tags(digest)
        labels = self.ensure_labels(before)
        if self.params["push"]:
            self.ensure_pushed(digest)
        if self.params["export_path"]:
            self.ensure_exported(digest)
        mount_path = self.ensure_mount(present=True)
        after = None if (self.check and self._listing_stale) else self.listing(refresh=True).get(str(self.name))
        return self.image_result(after, digest, labels, mount_path)

    _listing_stale = False

    def ensure_pulled(self, before):
        if self.usable(before) and self.params["pull"] == "missing":
            return before["digest"]
        reason = self.why_missing(before) if not self.usable(before) else None
        if self.check:
            remote = self.registry.digest(self.name)
            if remote is None:
                raise NotFound("pull: %s not found in its registry" % self.name)
            if reason is None and remote == before["digest"]:
                return remote
            self.actions.append(self.pull_action(before, remote, reason))
            self._listing_stale = True
            return remote
        self.client.pull_image(self.name, self.options, platform=self.params["platform"],
                               all_platforms=self.params["all_platforms"], snapshotter=self.params["snapshotter"],
                               refetch=reason == "incomplete")
        after = self.listing(refresh=True).get(str(self.name))
        if after is None:
            raise NotFound("ctr pulled %s but the image is not listed afterwards" % self.name)
        self.checked(refresh=True)
        if reason is not None or before is None or after["digest"] != before["digest"]:
            self.actions.append(self.pull_action(before, after["digest"], reason))
        return after["digest"]

    def pull_action(self, before, digest, reason):
        if before is None:
            return "pulled %s (%s)" % (self.name, short(digest))
        if reason is not None and before["digest"] == digest:
            return "pulled %s again (%s locally)" % (self.name, reason)
        return "pulled %s: %s -> %s" % (self.name, short(before["digest"]), short(digest))

    def ensure_imported(self, before):
        path = self.params["archive_path"]
        images = archive_images(path)
        names = [image["name"] for image in images if image["name"]]
        wanted = [image for image in images if image["name"] == str(self.name)]
        if wanted:
            archived = wanted[0]
        elif len(images) == 1:
            archived = images[0]
        else:
            raise ArchiveError("archive %s holds %s, not %s: name one of them"
                               % (path, ", ".join(names) or "no named image", self.name))
        digest = archived["digest"]
        reason = None if self.usable(before) else self.why_missing(before)
        if reason is None and (digest is None or digest == before["digest"]):
            return before["digest"]
        action = "imported %s from %s" % (self.name, path)
        if before is not None and reason is None:
            action += ": %s -> %s" % (short(before["digest"]), short(digest))
        elif reason not in (None, "missing"):
            action += " (%s locally)" % reason
        self.actions.append(action)
        if self.check:
            self._listing_stale = True
            return digest
        existed = set(self.listing())
        self.client.import_image(path, platform=self.params["platform"], all_platforms=self.params["all_platforms"],
                                 unpack=self.params["unpack"], snapshotter=self.params["snapshotter"])
        listing = self.listing(refresh=True)
        if archived["name"] != str(self.name):
            if archived["name"] is None or archived["name"] not in listing:
                raise ArchiveError("ctr imported %s but no image named in it appeared; name the image in the archive"
                                   % path)
            self.client.tag_image(archived["name"], self.name)
            if archived["name"] not in existed:
                self.client.remove_images([archived["name"]])
            listing = self.listing(refresh=True)
        self.checked(refresh=True)
        after = listing.get(str(self.name))
        if after is None:
            raise ArchiveError("ctr imported %s but %s is not listed afterwards" % (path, self.name))
        return after["digest"]

    def ensure_tags(self, digest):
        if not self.tags:
            return
        before, after = {}, {}
        for tag in self.tags:
            current = self.listing().get(str(tag))
            before[str(tag)] = current["digest"] if current else None
            after[str(tag)] = digest
            if current is not None and digest is not None and current["digest"] == digest:
                continue
            if current is None:
                self.actions.append("tagged %s as %s" % (self.name, tag))
            else:
                self.actions.append("moved tag %s from %s to %s" % (tag, short(current["digest"]), short(digest)))
            if not self.check:
                self.client.tag_image(self.name, tag)
        self.differences.compare("tags", before, after)

    def ensure_labels(self, before):
        current = {}
        image = before if self.check else self.listing().get(str(self.name))
        if image is not None:
            current = image["labels"]
        changes, labels = labels_delta(current, self.params["labels"], self.params["purge_labels"])
        if changes:
            self.differences.add("labels", current, labels)
            self.actions.append("set labels of %s: %s" % (self.name, ", ".join(sorted(changes))))
            if not self.check:
                self.client.set_image_labels(self.name, changes)
        return labels

    def ensure_pushed(self, digest):
        before, after = {}, {}
        for ref in [self.name] + self.tags:
            remote = self.registry.digest(ref, capability="push")
            before[str(ref)] = remote
            after[str(ref)] = digest
            if remote is not None and remote == digest:
                continue
            self.actions.append("pushed %s (%s)" % (ref, short(digest)))
            if not self.check:
                self.client.push_image(ref, self.options, platform=self.params["platform"])
        self.differences.compare("pushed", before, after)

    def ensure_exported(self, digest):
        path = self.params["export_path"]
        current = archive_digest(path, str(self.name))
        if current is not None and current == digest:
            return
        self.differences.add("export", {"path": path, "digest": current}, {"path": path, "digest": digest})
        self.actions.append("exported %s to %s" % (self.name, path))
        if not self.check:
            self.client.export_image(path, [self.name], platform=self.params["platform"],
                                     all_platforms=self.params["all_platforms"])

    def ensure_mount(self, present):
        path = self.params["mount_path"]
        if not path:
            return None
        mounted = self.client.is_mounted(path)
        wanted = present and self.params["mounted"]
        if mounted == wanted:
            return path if mounted else None
        self.differences.add("mounted", {"path": path, "mounted": mounted}, {"path": path, "mounted": wanted})
        if wanted:
            self.actions.append("mounted %s read-only at %s" % (self.name, path))
            if not self.check:
                self.client.mount_image(self.name, path, snapshotter=self.params["snapshotter"],
                                        platform=self.params["platform"])
            return path
        self.actions.append("unmounted %s" % path)
        if not self.check:
            self.client.unmount_image(path, snapshotter=self.params["snapshotter"])
        return None

    def image_result(self, image, digest, labels, mount_path):
        if image is None:
            image = {"name": str(self.name), "digest": digest, "media_type": None, "size": None, "size_bytes": None,
                     "platforms": [], "labels": labels}
        result = dict(image)
        result["digest"] = digest if digest is not None else image.get("digest")
        result["labels"] = labels
        result["tags"] = [str(tag) for tag in self.tags]
        result["mount_path"] = mount_path
        return result

    # ---- absent -----------------------------------------------------------------------------------

    def absent(self):
        self.ensure_mount(present=False)
        listing = self.listing()
        before, after = {}, {}
        doomed = []
        for ref in [self.name] + self.tags:
            image = listing.get(str(ref))
            if image is not None:
                before[str(ref)] = image["digest"]
                after[str(ref)] = None
                doomed.append(ref)
        if doomed:
            self.differences.add("state", "present", "absent")
            self.differences.add("digest", before, after)
            self.actions.append("removed %s" % ", ".join(str(ref) for ref in doomed))
            if not self.check:
                self.client.remove_images(doomed)
        return None

    def result(self):
        if self.params["state"] == "present":
            image = self.present()
        else:
            image = self.absent()
        result = dict(changed=bool(self.differences) or bool(self.actions), image=image, actions=self.actions)
        if self.module._diff:
            result["diff"] = self.differences.diff()
        return result


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            source=dict(type="str", default="pull", choices=["pull", "import", "local"]),
            archive_path=dict(type="path"),
            pull=dict(type="str", default="missing", choices=["missing", "always"]),
            platform=dict(type="str"),
            all_platforms=dict(type="bool", default=False),
            unpack=dict(type="bool", default=True),
            snapshotter=dict(type="str"),
            plain_http=dict(type="bool", default=False),
            skip_verify=dict(type="bool", default=False),
            hosts_dir=dict(type="path"),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            tags=dict(type="list", elements="str"),
            push=dict(type="bool", default=False),
            export_path=dict(type="path"),
            labels=dict(type="dict"),
            purge_labels=dict(type="bool", default=False),
            mount_path=dict(type="path"),
            mounted=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    name, tags = validate(module)
    client = client_for(module)
    try:
        module.exit_json(**Converger(module, client, name, tags).result())
    except ContainerdError as error:
        fail(module, error)


if __name__ == "__main__":
    main()
