# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an image archive (OCI layout or Docker ``save`` format, as ``ctr images import/export`` use) holds.

Read without ctr and without unpacking: the names and manifest digests in ``index.json`` (OCI) or the
``RepoTags`` of ``manifest.json`` (Docker, which carries no manifest digest). Lets the image module decide
whether an import or an export would change anything before it runs ctr.
"""

from __future__ import annotations

import json
import os
import tarfile

from ansible_collections.containerd.runtime.plugins.module_utils._image import reference
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ArchiveError, InvalidReference

NAME_ANNOTATION = "io.containerd.image.name"
REF_ANNOTATION = "org.opencontainers.image.ref.name"


def _normalize(name):
    try:
        return reference.normalize(name)
    except InvalidReference:
        return None


def _read_member(tar, name):
    for candidate in (name, "./" + name):
        try:
            member = tar.getmember(candidate)
        except KeyError:
            continue
        handle = tar.extractfile(member)
        if handle is None:
            return None
        return handle.read()
    return None


def archive_images(path):
    """[{'name': canonical ref or None, 'digest': manifest digest or None}] of the archive at ``path``."""
    if not os.path.exists(path):
        raise ArchiveError("archive %s does not exist" % path)
    if not os.path.isfile(path):
        raise ArchiveError("archive %s is not a file" % path)
    try:
        with tarfile.open(path, "r:*") as tar:
            index = _read_member(tar, "index.json")
            manifest = _read_member(tar, "manifest.json")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError("%s is not a readable image archive (a tar in OCI layout or Docker format): %s"
                           % (path, exc))
    images = []
    try:
        if index is not None:
            for descriptor in json.loads(index.decode("utf-8")).get("manifests") or []:
                annotations = descriptor.get("annotations") or {}
                name = annotations.get(NAME_ANNOTATION) or annotations.get(REF_ANNOTATION)
                images.append({"name": _normalize(name) if name else None, "digest": descriptor.get("digest")})
        elif manifest is not None:
            for entry in json.loads(manifest.decode("utf-8")) or []:
                for tag in entry.get("RepoTags") or []:
                    images.append({"name": _normalize(tag), "digest": None})
        else:
            raise ArchiveError("%s holds neither index.json (OCI layout) nor manifest.json (Docker format): it is "
                               "not an image archive" % path)
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError) as exc:
        raise ArchiveError("%s has a corrupt index: %s" % (path, exc))
    return images


def archive_digest(path, name):
    """The manifest digest the archive holds for ``name`` (canonical), None when it has no such image."""
    if not os.path.isfile(path):
        return None
    try:
        images = archive_images(path)
    except ArchiveError:
        return None
    for image in images:
        if image["name"] == name:
            return image["digest"]
    return None
