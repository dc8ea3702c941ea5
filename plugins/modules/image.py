#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

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
  - containerd.runtime.connection.converging
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
      - Password (or token) for O(username). Never shown in the output, never on a process's command line; ctr
        gets it as the C(Authorization) header of that registry in a private (0700) hosts directory.
      - The module's own registry requests send it to the registry's origin only (scheme, host and port) and
        never follow a redirect from https to http. ctr's own pulls follow ctr's rules. In this project's tests,
        ctr 1.6 sent the header to no other origin; ctr 2.1 sent it on a redirect to another port of the same
        host name (Go's C(net/http) compares host names only), but not to another host name.
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
      - Keys must not start with C(-) (ctr 1.6 and 1.7 would read such an argument as one of their own flags).
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
  - "The credentials never reach ctr's command line (which every local user can read): a pull or push with
    O(username) gets a private (0700) temporary hosts dir whose C(hosts.toml) for the image's registry is the
    one of O(hosts_dir) with an C(Authorization) header added (Basic, or a bearer token the registry's token
    service gave for these credentials), removed when the operation ends. The password is C(no_log)."
  - "Check-mode digest look-ups follow redirects themselves: a redirect to another scheme, host or port loses
    the C(Authorization) header and the C(hosts.toml) headers, and one from HTTPS to plain HTTP is refused."
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.module import argument_spec, client_for, fail
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext
from ansible_collections.containerd.runtime.plugins.module_utils._image.converge import ImageConverger, validate

ARGUMENT_SPEC = argument_spec(
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
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        name, tags = validate(module.params)
        client = client_for(module)
        run = RunContext(check_mode=module.check_mode, diff=module._diff)
        outcome = ImageConverger(module.params, client, run, name, tags).converge()
    except CollectionError as error:
        fail(module, error)
    module.exit_json(**outcome.result(diff=run.diff))


if __name__ == "__main__":
    main()
