# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image operations of the client (mixed into ``client.CtrClient``; uses ``self.run``).

containerd 2.x runs ``ctr images pull/push/import/export/tag`` through its transfer service; the flags
that service does not take (``--skip-verify``) need ``--local``, which runs the operation in ctr itself.
"""

from __future__ import annotations

import os
import re

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._image.credentials import private_hosts_dir
from ansible_collections.containerd.runtime.plugins.module_utils._image.registry import registry_failure

# Pulls and pushes move whole images: give them more time than a metadata call, at least this much.
TRANSFER_TIMEOUT = 600


class RegistryOptions(object):
    """How to reach registries: plain HTTP, TLS verification, a certs.d hosts dir, credentials."""

    def __init__(self, plain_http=False, skip_verify=False, hosts_dir=None, username=None, password=None):
        self.plain_http = plain_http
        self.skip_verify = skip_verify
        self.hosts_dir = hosts_dir
        self.username = username
        self.password = password


class ImageOps(object):
    def images(self, namespace=None):
        return parse.parse_images(self.run(["images", "ls"], namespace=namespace))

    def image_check(self, snapshotter=None, namespace=None):
        """``ctr images check``: completeness and unpack state of every image, by name."""
        args = ["images", "check"]
        if snapshotter:
            args += ["--snapshotter", snapshotter]
        return dict((image["name"], image) for image in parse.parse_image_check(self.run(args, namespace=namespace)))

    # ---- registries -------------------------------------------------------------------------------

    def _transfer_timeout(self):
        return max(self.timeout, TRANSFER_TIMEOUT)

    def _registry_args(self, options):
        args = []
        if options.plain_http:
            args.append("--plain-http")
        if options.skip_verify:
            args.append("--skip-verify")
            if self.has("transfer_service"):
                args.append("--local")  # the 2.x transfer service does not take --skip-verify
        if options.hosts_dir and not options.username:
            args += ["--hosts-dir", options.hosts_dir]
        return args

    def _run_with_credentials(self, args, options, ref, actions):
        """Run a pull/push; credentials reach ctr in a private hosts dir (``--hosts-dir``), never on its argv."""
        with private_hosts_dir(options, ref, actions) as hosts_dir:
            if options.username:
                args = args[:2] + ["--hosts-dir", hosts_dir] + args[2:]
            self.run(args, timeout=self._transfer_timeout())

    def pull_image(self, ref, options, platform=None, all_platforms=False, snapshotter=None, refetch=False):
        """Pull (and unpack) ``ref``; registry failures become registry errors with clear messages.

        ``refetch``: content is missing locally though the image is unpacked. The 2.x transfer service skips
        fetching the layers of unpacked snapshots, so such a pull runs in ctr itself (``--local``).
        """
        args = ["images", "pull"] + self._registry_args(options)
        # the 2.x transfer service skips layers of unpacked snapshots (refetch), and without a platform it has
        # none to unpack for another snapshotter ("no unpack platforms defined"): run those pulls in ctr
        if (refetch or (snapshotter and not platform and not all_platforms)) and self.has("transfer_service") \
                and "--local" not in args:
            args.append("--local")
        if all_platforms:
            args.append("--all-platforms")
        elif platform:
            args += ["--platform", platform]
        if snapshotter:
            args += ["--snapshotter", snapshotter]
        args.append(str(ref))
        try:
            self._run_with_credentials(args, options, ref, "pull")
        except CollectionError as error:
            raise registry_failure(error, ref, "pull")

    def push_image(self, ref, options, platform=None):
        args = ["images", "push"] + self._registry_args(options)
        if platform:
            args += ["--platform", platform]
        args.append(str(ref))
        try:
            self._run_with_credentials(args, options, ref, "pull,push")
        except CollectionError as error:
            raise registry_failure(error, ref, "push")

    # ---- archives ---------------------------------------------------------------------------------

    def import_image(self, path, platform=None, all_platforms=False, unpack=True, snapshotter=None):
        args = ["images", "import"]
        if self.has("transfer_service"):
            args.append("--local")
        if all_platforms:
            args.append("--all-platforms")
        elif platform:
            args += ["--platform", platform]
        if not unpack:
            args.append("--no-unpack")
        elif snapshotter:
            args += ["--snapshotter", snapshotter]
        args.append(path)
        self.run(args, timeout=self._transfer_timeout())

    def export_image(self, path, names, platform=None, all_platforms=False):
        """Write an archive of ``names`` to ``path`` (through a temporary file, renamed when complete)."""
        tmp = "%s.partial-%d" % (path, os.getpid())
        args = ["images", "export"]
        if all_platforms:
            args.append("--all-platforms")
        elif platform:
            args += ["--platform", platform]
        args += [tmp] + [str(name) for name in names]
        try:
            self.run(args, timeout=self._transfer_timeout())
            os.rename(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    # ---- names and labels -------------------------------------------------------------------------

    def tag_image(self, source, target):
        """Point ``target`` at the image of ``source`` (moving it when it points elsewhere)."""
        self.run(["images", "tag", "--force", str(source), str(target)])

    def remove_images(self, names):
        self.run(["images", "rm"] + [str(name) for name in names])

    def set_image_labels(self, name, labels):
        """Set labels; a value of None removes that label (ctr removes a label set to the empty string)."""
        args = ["images", "label", str(name)]
        args += ["%s=%s" % (key, "" if value is None else value) for key, value in sorted(labels.items())]
        self.run(args)

    # ---- mounts -----------------------------------------------------------------------------------

    def mount_image(self, name, path, snapshotter=None, platform=None):
        """Mount the image's filesystem read-only at ``path`` (created when missing)."""
        if not os.path.isdir(path):
            os.makedirs(path)
        args = ["images", "mount"]
        if snapshotter:
            args += ["--snapshotter", snapshotter]
        if platform:
            args += ["--platform", platform]
        self.run(args + [str(name), path])

    def unmount_image(self, path, snapshotter=None):
        """Unmount ``path`` and remove the snapshot ctr made for the mount."""
        args = ["images", "unmount", "--rm"]
        if snapshotter:
            args += ["--snapshotter", snapshotter]
        self.run(args + [path])

    @staticmethod
    def is_mounted(path):
        """Whether something is mounted at ``path`` (read from /proc/self/mountinfo)."""
        target = os.path.realpath(path)
        try:
            with open("/proc/self/mountinfo") as mountinfo:
                for line in mountinfo:
                    fields = line.split()
                    if len(fields) > 4 and _unescape(fields[4]) == target:
                        return True
        except (IOError, OSError):
            return False
        return False


def _unescape(field):
    """mountinfo escapes space, tab, newline and backslash as octal (``\\040``)."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), field)
