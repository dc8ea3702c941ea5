# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The converge code of the image module: desired vs actual for one image, acting unless check mode.

``validate(params)`` checks the options before anything runs; ``ImageConverger(params, client, run, ...)``
``.converge()`` pulls (missing or always, digest-aware), imports, tags, labels, pushes, exports, mounts or
removes, and returns an ``Outcome``: what differed, what was done (``Action`` data; their text is the
module's ``actions``) and the image. Parameters are read, never changed; failures are the typed errors of
``_common/errors.py``.
"""

from __future__ import annotations

import os

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._image.archive import archive_digest, archive_images
from ansible_collections.containerd.runtime.plugins.module_utils._image.registry_options import (
    registry_client,
    registry_options,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.diff import Differences, labels_delta
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import (
    ArchiveError,
    InvalidOptions,
    InvalidReference,
    NotFound,
)
from ansible_collections.containerd.runtime.plugins.module_utils._common.identifiers import label_errors


def validate(params):
    """Parse the references and check option combinations: (name, tags) or InvalidOptions naming the option."""
    errors = []
    refs = {}
    for key, values in (("name", [params["name"]]), ("tags", params["tags"] or [])):
        for value in values:
            try:
                refs.setdefault(key, []).append(reference.parse(value))
            except InvalidReference as exc:
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
        raise InvalidOptions("; ".join(errors))
    name = refs["name"][0]
    tags = []
    for tag in refs.get("tags", []):
        if tag != name and tag not in tags:
            tags.append(tag)
    return name, tags


def short(digest):
    return (digest or "unknown digest")[:19]


# ---- what was done, as data ------------------------------------------------------------------------

def _pulled(ref, before, digest, reason):
    if before is None:
        return "pulled %s (%s)" % (ref, short(digest))
    if reason is not None and before == digest:
        return "pulled %s again (%s locally)" % (ref, reason)
    return "pulled %s: %s -> %s" % (ref, short(before), short(digest))


def _imported(ref, path, before, digest, reason):
    text = "imported %s from %s" % (ref, path)
    if reason is None:
        return text + ": %s -> %s" % (short(before), short(digest))
    if reason != "missing":
        return text + " (%s locally)" % reason
    return text


def _tagged(ref, tag, before, digest):
    if before is None:
        return "tagged %s as %s" % (ref, tag)
    return "moved tag %s from %s to %s" % (tag, short(before), short(digest))


_TEXT = {
    "pull": _pulled,
    "import": _imported,
    "tag": _tagged,
    "labels": lambda ref, changes: "set labels of %s: %s" % (ref, ", ".join(sorted(changes))),
    "push": lambda ref, digest: "pushed %s (%s)" % (ref, short(digest)),
    "export": lambda ref, path: "exported %s to %s" % (ref, path),
    "mount": lambda ref, path: "mounted %s read-only at %s" % (ref, path),
    "unmount": lambda ref, path: "unmounted %s" % path,
    "remove": lambda ref, refs: "removed %s" % ", ".join(str(item) for item in refs),
}


class Action(object):
    """One thing done (or that check mode predicts): ``kind``, the image reference and the values involved.

    ``before``/``digest`` are manifest digests (``before`` None: there was none), ``reason`` why the image
    had to be fetched (missing, incomplete, not unpacked; None when it was usable). ``str()`` is the text
    of the module's ``actions``.
    """

    def __init__(self, kind, ref, **values):
        self.kind = kind
        self.ref = ref
        self.values = values

    def __str__(self):
        return _TEXT[self.kind](self.ref, **self.values)

    def __repr__(self):
        return "Action(%r, %r, %r)" % (self.kind, self.ref, self.values)


class Outcome(object):
    """What a converge run found and did: ``differences``, ``actions`` (Action), ``image`` (dict or None)."""

    def __init__(self, differences, actions, image):
        self.differences = differences
        self.actions = actions
        self.image = image

    @property
    def changed(self):
        return bool(self.differences) or bool(self.actions)

    def result(self, diff=False):
        """The module's result: changed, image, actions (text), and diff when ``diff``."""
        result = dict(changed=self.changed, image=self.image, actions=[str(action) for action in self.actions])
        if diff:
            result["diff"] = self.differences.diff()
        return result


# ---- the converge ------------------------------------------------------------------------------------

class ImageConverger(object):
    """Desired vs actual for one image; acts unless ``run.check_mode``.

    ``name``/``tags``: what ``validate`` returned. ``registry``: the digest look-up client (default: one
    built from the registry options of ``params``).
    """

    def __init__(self, params, client, run, name, tags, registry=None):
        self.params = params
        self.client = client
        self.check = run.check_mode
        self.name = name
        self.tags = tags
        self.differences = Differences()
        self.actions = []
        self.options = registry_options(params)
        self.registry = registry or registry_client(self.options, params["timeout"])
        self._listing = None
        self._checked = None
        self._listing_stale = False

    def act(self, kind, **values):
        self.actions.append(Action(kind, self.name, **values))

    def converge(self):
        image = self.present() if self.params["state"] == "present" else self.absent()
        return Outcome(self.differences, self.actions, image)

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
        return self.why_missing(image) is None

    def why_missing(self, image):
        """Why ``image`` must be fetched (missing, incomplete, not unpacked), None when it is usable."""
        if image is None:
            return "missing"
        check = self.checked().get(image["name"])
        if check is None or not check["complete"]:
            return "incomplete"
        if self.params["unpack"] and not check["unpacked"]:
            return "not unpacked"
        return None

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

    def ensure_pulled(self, before):
        reason = self.why_missing(before)
        if reason is None and self.params["pull"] == "missing":
            return before["digest"]
        was = before["digest"] if before else None
        if self.check:
            remote = self.registry.digest(self.name)
            if remote is None:
                raise NotFound("pull: %s not found in its registry" % self.name)
            if reason is None and remote == was:
                return remote
            self.act("pull", before=was, digest=remote, reason=reason)
            self._listing_stale = True
            return remote
        self.client.pull_image(self.name, self.options, platform=self.params["platform"],
                               all_platforms=self.params["all_platforms"], snapshotter=self.params["snapshotter"],
                               refetch=reason == "incomplete")
        after = self.listing(refresh=True).get(str(self.name))
        if after is None:
            raise NotFound("ctr pulled %s but the image is not listed afterwards" % self.name)
        self.checked(refresh=True)
        if reason is not None or before is None or after["digest"] != was:
            self.act("pull", before=was, digest=after["digest"], reason=reason)
        return after["digest"]

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
        reason = self.why_missing(before)
        if reason is None and (digest is None or digest == before["digest"]):
            return before["digest"]
        self.act("import", path=path, before=before["digest"] if before else None, digest=digest, reason=reason)
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
            self.act("tag", tag=tag, before=current["digest"] if current else None, digest=digest)
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
            self.act("labels", changes=changes)
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
            self.actions.append(Action("push", ref, digest=digest))
            if not self.check:
                self.client.push_image(ref, self.options, platform=self.params["platform"])
        self.differences.compare("pushed", before, after)

    def ensure_exported(self, digest):
        path = self.params["export_path"]
        current = archive_digest(path, str(self.name))
        if current is not None and current == digest:
            return
        self.differences.add("export", {"path": path, "digest": current}, {"path": path, "digest": digest})
        self.act("export", path=path)
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
            self.act("mount", path=path)
            if not self.check:
                self.client.mount_image(self.name, path, snapshotter=self.params["snapshotter"],
                                        platform=self.params["platform"])
            return path
        self.act("unmount", path=path)
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
            self.act("remove", refs=doomed)
            if not self.check:
                self.client.remove_images(doomed)
        return None
