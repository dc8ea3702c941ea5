# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Health checks of the ``workloads`` module: a command run in the task, or a TCP connect.

``wait`` sleeps ``start_period``, then tries up to ``retries`` times, ``interval`` seconds apart; it returns
(healthy, attempts, last error).
"""

from __future__ import annotations

import socket
import time
import uuid

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError


def describe(check):
    if check.get("exec") is not None:
        return "exec %s" % " ".join(check["exec"])
    return "tcp %s:%s" % (check.get("host") or "<address>", check["tcp_port"])


def exec_probe(client, name, argv):
    """None when ``argv`` exits 0 in the task of ``name``; else what went wrong."""
    try:
        rc, stdout, stderr = client.exec_in_task(name, argv, "health-" + uuid.uuid4().hex[:12])
    except CollectionError as error:
        return error.message
    if rc == 0:
        return None
    output = (stderr or stdout or "").strip().splitlines()
    return "exit status %s%s" % (rc, (": " + output[-1]) if output else "")


def tcp_probe(host, port, timeout):
    """None when a TCP connection to host:port succeeds within ``timeout`` seconds; else the error."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except (OSError, socket.error) as error:
        return "connect to %s:%s: %s" % (host, port, error)
    sock.close()
    return None


def first_address(interfaces):
    """The first CNI address (without prefix) of a container's interfaces, or None."""
    for interface in interfaces or []:
        for address in interface.get("ips") or []:
            return address.split("/")[0]
    return None


def tcp_host(check, interfaces):
    return check.get("host") or first_address(interfaces) or "127.0.0.1"


def wait(check, probe, sleep=time.sleep):
    """Run ``probe()`` (None: healthy, else an error) as ``check`` says. Returns (healthy, attempts, last_error)."""
    if check.get("start_period"):
        sleep(check["start_period"])
    last = None
    retries = check.get("retries") or 1
    for attempt in range(1, retries + 1):
        last = probe()
        if last is None:
            return True, attempt, None
        if attempt < retries:
            sleep(check.get("interval") or 0)
    return False, retries, last


def probe_for(check, client, name, interfaces):
    """The probe function of ``check`` for container ``name``."""
    if check.get("exec") is not None:
        return lambda: exec_probe(client, name, check["exec"])
    host = tcp_host(check, interfaces)
    timeout = max(float(check.get("interval") or 0), 1.0)
    return lambda: tcp_probe(host, check["tcp_port"], timeout)
