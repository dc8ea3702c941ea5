# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for run_command in unit tests of the client layer."""
import os
from urllib.parse import unquote


class StubRunner:
    """Stands in for run_command: records each argv and answers with the next (rc, stdout, stderr).

    A reply may also be a callable: it gets the argv and returns the (rc, stdout, stderr).
    """

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls = []

    def __call__(self, argv, data=None):
        self.calls.append(argv)
        reply = self.replies.pop(0)
        return reply(argv) if callable(reply) else reply


def shim_logged(rc, stdout=b"", stderr=b"", done=True):
    """A reply to ``ctr tasks exec --log-uri binary://...``: what the shim's logger would leave behind.

    Writes the process's ``stdout`` and ``stderr`` (bytes) next to the logger named in the argv, and the
    ``done`` marker unless told otherwise; ctr itself answers ``rc`` and nothing on stdout or stderr.
    """
    def reply(argv):
        directory = os.path.dirname(log_uri_path(argv))
        for name, data in (("stdout", stdout), ("stderr", stderr)):
            with open(os.path.join(directory, name), "wb") as handle:
                handle.write(data)
        if done:
            open(os.path.join(directory, "done"), "w").close()
        return rc, "", ""
    return reply


def log_uri_path(argv):
    uri = argv[argv.index("--log-uri") + 1]
    assert uri.startswith("binary://"), uri
    return unquote(uri[len("binary://"):])
