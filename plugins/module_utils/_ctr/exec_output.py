# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Capturing every byte an exec'd process writes, stdout and stderr apart (used by ``client_tasks``).

Why not ctr's own stdout/stderr: ``ctr tasks exec`` (1.6, 1.7 and 2.x alike) creates FIFOs, has the shim
copy the process's output into them and copies them to its own stdout/stderr in goroutines. When the
exit status arrives ctr does not wait for those copies to drain:

* exit status 0: ctr's deferred ``process.Delete`` calls ``cio.Cancel()``, which closes ctr's read ends of
  the FIFOs *before* ``cio.Wait()``; whatever the goroutines had not read yet (up to a pipe buffer, 64 KiB)
  is thrown away;
* any other exit status: ctr returns ``cli.NewExitError`` and urfave/cli calls ``os.Exit`` at once: no
  drain at all, and the exec process is not even deleted from the shim.

On an idle machine the goroutines usually win the race; under load a short process (``echo``, ``cat``)
loses all or the tail of its output (reproduced on 1.6.20, 1.7.24 and 2.1.9: a few percent of the execs
under a CPU load of 3x the cores). No ctr flag fixes the FIFO path.

What we do instead: ``--log-uri binary://<logger>``. With a binary log URI the shim starts ``<logger>``
with the read ends of the process's stdout and stderr pipes as fds 3 and 4 (and fd 5 to close once
ready), and the process writes straight into those pipes: neither ctr nor the shim copies anything. When
the exec process is deleted the shim closes its write ends, sends the logger SIGTERM and waits for it to
exit (12 s at most). The logger here (``LOGGER``, stdlib Python run with the interpreter of the caller)
copies fd 3 and fd 4 into two files of a private directory until EOF, drains what is left without blocking
when SIGTERM comes (a background child may hold the pipes open), and writes ``done`` last. So once the exec
process is deleted -- by ctr itself after exit 0, by the client after any other exit -- the files hold
everything the process wrote, or ``done`` is missing and the client says so.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile

from urllib.parse import quote

STDOUT = "stdout"
STDERR = "stderr"
DONE = "done"
ERROR = "error"

# The logger the shim runs. fd 3: the process's stdout, fd 4: its stderr, fd 5: closed when ready.
LOGGER = r'''
import os
import select
import signal
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(sys.argv[0]))


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def copy(source, target):
    """Copy one chunk; False at EOF."""
    try:
        chunk = os.read(source, 65536)
    except BlockingIOError:
        return None
    if chunk:
        write_all(target, chunk)
    return bool(chunk)


def main():
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    targets = {3: os.open(os.path.join(HERE, "stdout"), flags, 0o600),
               4: os.open(os.path.join(HERE, "stderr"), flags, 0o600)}
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    terminating = []
    signal.signal(signal.SIGTERM, lambda _signum, _frame: terminating.append(True))
    signal.set_wakeup_fd(wake_w)
    os.close(5)
    poller = select.poll()
    for fd in list(targets) + [wake_r]:
        poller.register(fd, select.POLLIN)
    sources = set(targets)
    while sources and not terminating:
        for fd, _event in poller.poll():
            if fd in sources and not copy(fd, targets[fd]):
                poller.unregister(fd)
                sources.discard(fd)
    for fd in sources:
        os.set_blocking(fd, False)
        while copy(fd, targets[fd]):
            pass
    for fd in targets.values():
        os.close(fd)
    os.close(os.open(os.path.join(HERE, "done"), flags, 0o600))


try:
    main()
except Exception:
    with open(os.path.join(HERE, "error"), "w") as error:
        error.write(traceback.format_exc())
    sys.exit(1)
'''


def python_interpreter():
    """The Python that runs the logger: the caller's own (a module's is the host's ansible_python)."""
    return sys.executable or shutil.which("python3") or "/usr/bin/python3"


class OutputCapture(object):
    """A private directory (0700) with the logger in it; after the exec, the process's stdout and stderr.

    Use as a context manager; the directory is removed on exit.
    """

    def __init__(self, parent=None, python=None):
        self.path = tempfile.mkdtemp(prefix="ctr-exec-", dir=parent)
        script = os.path.join(self.path, "logger.py")
        self._write(script, LOGGER, 0o600)
        self.logger = os.path.join(self.path, "logger")
        self._write(self.logger, "#!/bin/sh\nexec %s -I -S %s\n"
                    % (shlex.quote(python or python_interpreter()), shlex.quote(script)), 0o700)

    @staticmethod
    def _write(path, text, mode):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)

    @property
    def log_uri(self):
        """The ``--log-uri`` that makes the shim hand the process's output to the logger."""
        return "binary://" + quote(self.logger)

    def complete(self):
        """Whether the logger copied everything and exited on its own (it writes ``done`` last)."""
        return os.path.exists(os.path.join(self.path, DONE))

    def logger_error(self):
        try:
            with open(os.path.join(self.path, ERROR)) as error:
                return error.read().strip().splitlines()[-1]
        except (OSError, IndexError):
            return None

    def read(self):
        """(stdout, stderr) as bytes."""
        return tuple(self._read(name) for name in (STDOUT, STDERR))

    def _read(self, name):
        try:
            with open(os.path.join(self.path, name), "rb") as handle:
                return handle.read()
        except OSError:
            return b""

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.cleanup()
        return False
