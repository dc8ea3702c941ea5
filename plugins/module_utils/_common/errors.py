# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every error the collection raises: one hierarchy, one base (``CollectionError``).

Every message says what happened and what to do; modules pass it to ``fail_json`` unchanged, with
``details()`` (the command that failed, its exit code and output) beside it. The branches say what failed:
``InvalidOptions`` (what the user asked for cannot work; the message names the option), ``NotFound`` (an
object that is not there), ``CtrFailed`` (ctr or the daemon refused; ``_ctr/classify.py`` picks the class),
and one branch per outside party (registries, CNI plugins, release downloads).
"""

from __future__ import annotations


class CollectionError(Exception):
    """Base of every error of the collection."""

    def __init__(self, message, argv=None, rc=None, stderr=None, extra=None):
        super(CollectionError, self).__init__(message)
        self.message = message
        self.extra = extra or {}
        self.argv = argv
        self.rc = rc
        self.stderr = stderr

    def details(self):
        """Extra fields for fail_json: the command that failed and what it said."""
        out = dict(self.extra)
        if self.argv is not None:
            out["cmd"] = self.argv
        if self.rc is not None:
            out["rc"] = self.rc
        if self.stderr:
            out["stderr"] = self.stderr
        return out


# ---- what the user asked for cannot work ---------------------------------------------------------------

class InvalidOptions(CollectionError):
    """Options that cannot describe what they should; the message names the option."""


class InvalidContainerOptions(InvalidOptions):
    """Module parameters (or a workloads entry) that cannot describe a container."""


class InvalidConflist(InvalidOptions):
    """A CNI network configuration or option that cannot be used."""


class InvalidConfig(InvalidOptions):
    """A containerd config that cannot be built (unknown schema, bad settings, bad registry entries)."""


class InvalidReleaseOptions(InvalidOptions):
    """Install options that name no release, or a release that does not look like upstream's."""


# ---- an object that is not there --------------------------------------------------------------------------

class NotFound(CollectionError):
    """The object named does not exist."""


class ContainerNotFound(NotFound):
    """The container named does not exist."""


class ImageNotPresent(NotFound):
    """The image is not in the namespace (and may not or could not be pulled)."""


class TaskNotRunning(NotFound):
    """The container has no running task (the command asked for needs one)."""


# ---- ctr or containerd refused ------------------------------------------------------------------------

class CtrFailed(CollectionError):
    """A ctr run that failed; the subclasses say how (see _ctr/classify.py)."""


class CtrNotFound(CtrFailed):
    """The ctr binary is missing or not executable."""


class DaemonUnavailable(CtrFailed):
    """Nothing answers at the address (socket missing, connection refused)."""


class DaemonTimeout(CtrFailed):
    """containerd did not answer within the timeout."""


class PermissionDenied(CtrFailed):
    """The socket or an object exists but we may not use it."""


class ObjectNotFound(CtrFailed, NotFound):
    """containerd says the object named does not exist."""


class AlreadyExists(CtrFailed):
    """The object named exists already."""


class NamespaceNotEmpty(CtrFailed):
    """A namespace still holds images, containers, snapshots or content."""


class InvalidArgument(CtrFailed, InvalidOptions):
    """containerd (or the collection's own grammar check) rejected an argument."""


class InvalidReference(InvalidArgument):
    """An image reference that does not follow the reference grammar."""


class CommandFailed(CtrFailed):
    """Any other ctr failure."""


class UnexpectedCtrOutput(CtrFailed, ValueError):
    """ctr printed something its parsers do not understand (a ValueError too, for the callers that catch
    one): a clean failure instead of a traceback."""


# ---- outside parties ------------------------------------------------------------------------------------

class ArchiveError(CollectionError):
    """A missing, unreadable or corrupt image archive."""


class RegistryError(CollectionError):
    """A registry could not answer the question asked."""


class RegistryUnreachable(RegistryError):
    """Nothing answers at the registry's address (refused, unknown host, timeout)."""


class RegistryTLSError(RegistryError):
    """The registry's certificate is not trusted."""


class RegistryAuthError(RegistryError):
    """The registry rejected the credentials, or needs some."""


class RegistryDenied(RegistryError):
    """The registry refused the operation (403, 405, read-only)."""


class CniError(CollectionError):
    """A CNI operation failed; ``message`` says what and what to do, ``details()`` carries the plugin call."""


class CniCheckFailed(CniError):
    """An attachment exists in the cache but is not healthy (CHECK failed, netns or interface gone)."""


class ReleaseError(CollectionError):
    """A release that could not be fetched, verified, staged or installed."""


class ExecFailed(CollectionError):
    """A command run in a task exited non-zero; ``details()`` carry its result (rc, stdout, stderr, argv)."""


class MissingRequirement(CollectionError):
    """A Python library the module needs is not installed on the managed host (``details()``: its import error)."""


class WorkloadFailed(CollectionError):
    """A ``workloads`` entry that could not be converged (not healthy, its image not in its registry, a failed
    step); the message names the entry, ``details()`` carries the failed command and the batch's results so far."""
