# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._common import errors
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.classify import classify as classify_failure
ADDRESS = "/run/containerd/containerd.sock"


def classify(text):
    return classify_failure(["ctr"], 1, text, ADDRESS, 5)


def test_a_missing_socket_says_the_service_is_not_running(captured):
    error = classify(captured("missing-socket.err"))
    if captured.version == "2.x":
        assert isinstance(error, errors.DaemonUnavailable)
    else:
        # 1.x ctr only reports a dial timeout; the client checks the socket before running ctr.
        assert isinstance(error, errors.DaemonTimeout)


def test_a_killed_daemon_is_unavailable(captured):
    error = classify(captured("killed-daemon.err"))
    assert isinstance(error, errors.DaemonUnavailable)
    assert error.message == "containerd is not running at %s — is the service started?" % ADDRESS


def test_a_paused_daemon_is_a_timeout(captured):
    error = classify(captured("paused-daemon.err"))
    assert isinstance(error, errors.DaemonTimeout)
    assert "did not answer within 5s" in error.message


@pytest.mark.parametrize("name, kind", [
    ("ns-create-exists.err", errors.AlreadyExists),
    ("ns-rm-nonempty.err", errors.NamespaceNotEmpty),
    ("c-info-missing.err", errors.NotFound),
    ("ns-create-bad.err", errors.InvalidArgument),
])
def test_daemon_errors_map_to_typed_errors(captured, name, kind):
    error = classify(captured(name))
    assert isinstance(error, kind)
    assert not error.message.startswith("ctr: ")
    assert "level=error" not in error.message


def test_permission_denied_names_the_remedy():
    error = classify('ctr: failed to dial "/run/containerd/containerd.sock": connection error: desc = '
                     '"transport: error while dialing: dial unix /run/containerd/containerd.sock: connect: '
                     'permission denied"')
    assert isinstance(error, errors.PermissionDenied)
    assert "become: true" in error.message


def test_an_unknown_failure_keeps_ctr_message_and_rc():
    error = classify_failure(["ctr", "x"], 3, "ctr: something odd\n", ADDRESS, 5)
    assert isinstance(error, errors.CommandFailed)
    assert error.message == "ctr failed (rc=3): something odd"
    assert error.details() == {"cmd": ["ctr", "x"], "rc": 3, "stderr": "ctr: something odd\n"}
