# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image operations of the client (mixed into ``client.CtrClient``; uses ``self.run``).

ctr 2.x runs ``images pull/push/import/export/tag`` through the daemon's transfer service unless told
``--local``, which runs the operation in ctr itself: needed against a daemon without that service (1.x) and for
what the service does not do (``--skip-verify``, refetching). ctr 1.6 and 1.7 always run them themselves, and
ctr 1.6 has no ``--local`` flag: the choice follows the ctr binary's release, then the daemon's (``_local``).
"""

from __future__ import annotations

import os
import re
import tarfile

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.args import command, flag
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import ArchiveError, CollectionError
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
        args = command(["images", "check"], ["--snapshotter", snapshotter] if snapshotter else [])
        return dict((image["name"], image) for image in parse.parse_image_check(self.run(args, namespace=namespace)))

    # ---- registries -------------------------------------------------------------------------------

    def _transfer_timeout(self):
        return max(self.timeout, TRANSFER_TIMEOUT)

    def _local(self, needed=False):
        """``--local`` when ctr must run a transfer itself: ctr 2.x only (see the module doc), against a daemon
        without the transfer service or when the operation is ``needed`` in ctr."""
        if self.has("ctr_transfer_by_default") and (needed or not self.has("transfer_service")):
            return [flag("local")]
        return []

    def _registry_args(self, options):
        args = []
        if options.plain_http:
            args.append(flag("plain-http"))
        if options.skip_verify:
            args.append(flag("skip-verify"))
        args += self._local(needed=options.skip_verify)  # ctr 2.x takes --skip-verify only with --local
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
        flags = self._registry_args(options)
        # the 2.x transfer service skips layers of unpacked snapshots (refetch), and without a platform it has
        # none to unpack for another snapshotter ("no unpack platforms defined"): run those pulls in ctr
        if refetch or (snapshotter and not platform and not all_platforms):
            flags += [word for word in self._local(needed=True) if word not in flags]
        if all_platforms:
            flags.append(flag("all-platforms"))
        elif platform:
            flags += ["--platform", platform]
        if snapshotter:
            flags += ["--snapshotter", snapshotter]
        args = command(["images", "pull"], flags, [ref])
        try:
            self._run_with_credentials(args, options, ref, "pull")
        except CollectionError as error:
            raise registry_failure(error, ref, "pull")

    def push_image(self, ref, options, platform=None):
        flags = self._registry_args(options)
        if platform:
            flags += ["--platform", platform]
        args = command(["images", "push"], flags, [ref])
        try:
            self._run_with_credentials(args, options, ref, "pull,push")
        except CollectionError as error:
            raise registry_failure(error, ref, "push")

    # ---- archives ---------------------------------------------------------------------------------

    def import_image(self, path, platform=None, all_platforms=False, unpack=True, snapshotter=None):
        flags = self._local(needed=True)  # ctr 2.x: imported in ctr itself, with 1.x's options and naming
        if all_platforms:
            flags.append(flag("all-platforms"))
        elif platform:
            flags += ["--platform", platform]
        if not unpack:
            flags.append(flag("no-unpack"))
        elif snapshotter:
            flags += ["--snapshotter", snapshotter]
        self.run(command(["images", "import"], flags, [path]), timeout=self._transfer_timeout())

    def export_image(self, path, names, platform=None, all_platforms=False):
        """Write an archive of ``names`` to ``path`` (through a temporary file, renamed when it reads back whole).

        ctr 2.x exports in ctr itself (``--local``): through the 2.x transfer service's stream, the archive
        came out truncated now and then on a loaded machine (seen with 2.1.9) while ctr exited 0.
        """
        tmp = "%s.partial-%d" % (path, os.getpid())
        flags = self._local(needed=True)
        if all_platforms:
            flags.append(flag("all-platforms"))
        elif platform:
            flags += ["--platform", platform]
        try:
            self.run(command(["images", "export"], flags, [tmp] + list(names)), timeout=self._transfer_timeout())
            _require_whole_archive(tmp, path)
            os.rename(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    # ---- names and labels -------------------------------------------------------------------------

    def tag_image(self, source, target):
        """Point ``target`` at the image of ``source`` (moving it when it points elsewhere)."""
        self.run(command(["images", "tag"], self._local() + [flag("force")], [source, target]))

    def remove_images(self, names):
        self.run(command(["images", "rm"], operands=names))

    def set_image_labels(self, name, labels):
        """Set labels; a value of None removes that label (ctr removes a label set to the empty string)."""
        pairs = ["%s=%s" % (key, "" if value is None else value) for key, value in sorted(labels.items())]
        self.run(command(["images", "label"], operands=[name] + pairs))

    # ---- mounts -----------------------------------------------------------------------------------

    def mount_image(self, name, path, snapshotter=None, platform=None):
        """Mount the image's filesystem read-only at ``path`` (created when missing)."""
        if not os.path.isdir(path):
            os.makedirs(path)
        flags = ["--snapshotter", snapshotter] if snapshotter else []
        if platform:
            flags += ["--platform", platform]
        self.run(command(["images", "mount"], flags, [name, path]))

    def unmount_image(self, path, snapshotter=None):
        """Unmount ``path`` and remove the snapshot ctr made for the mount."""
        flags = [flag("rm")] + (["--snapshotter", snapshotter] if snapshotter else [])
        self.run(command(["images", "unmount"], flags, [path]))

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


def _require_whole_archive(tmp, path):
    """ArchiveError unless ``tmp`` is a complete tar with an ``index.json`` (a cut one never replaces ``path``)."""
    try:
        with tarfile.open(tmp, "r:") as archive:
            names = [member.name for member in archive]  # reads every header: a cut archive fails here
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ArchiveError("ctr wrote an incomplete archive for %s (%s); %s was left as it was" % (path, error, path))
    if "index.json" not in names:
        raise ArchiveError("ctr wrote an archive without index.json for %s; %s was left as it was" % (path, path))
