# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the fleet tests: three inventory hosts on this machine (see fleet_hosts.py).

``fleet`` shares the parametrised ``containerd`` daemon between the hosts (a namespace each);
``fleet_of_daemons`` gives every host a throwaway 2.x daemon from ``daemon_factory`` (for tests that kill
one). Both import ``busybox:test`` and ``busybox:v2`` into every host's namespace with plain ctr.
Nothing here starts containerd except through ``daemon_factory``.
"""
import uuid

import pytest

from fleet_hosts import BUSYBOX, BUSYBOX_V2, HOSTS, Fleet, Host
from harness import corpus, images
from harness.ansible import Ansible


@pytest.fixture(scope="session")
def busybox_v2_tag_archive(tmp_path_factory):
    """OCI archive of the second busybox version under its own tag, ``busybox:v2`` (the "new version"; the
    public-shaped default image of harness/corpus.py, as ``busybox_archive``)."""
    path = tmp_path_factory.mktemp("fleet-images") / "busybox-v2-tag.tar"
    corpus.build_archive(path, marker="v2", ref=BUSYBOX_V2)
    return path


def _hosts(daemons, base, busybox_archive, v2_archive):
    hosts = {}
    for name, daemon in zip(HOSTS, daemons):
        host = Host(name, daemon, "%s-%s" % (base, name))
        images.import_image(daemon, host.namespace, busybox_archive, BUSYBOX)
        images.import_image(daemon, host.namespace, v2_archive, BUSYBOX_V2)
        hosts[name] = host
    return hosts


@pytest.fixture
def fleet(tmp_path, containerd, namespace, busybox_archive, busybox_v2_tag_archive):
    """Three hosts sharing the ``containerd`` daemon of this test's version, a namespace each."""
    hosts = _hosts([containerd] * len(HOSTS), namespace, busybox_archive, busybox_v2_tag_archive)
    yield Fleet(hosts, Ansible(tmp_path / "ansible"))
    for host in hosts.values():
        containerd.clean_namespace(host.namespace)


@pytest.fixture
def fleet_of_daemons(tmp_path, daemon_factory, busybox_archive, busybox_v2_tag_archive):
    """Three hosts, each with a throwaway containerd 2.x of its own (to kill one); all destroyed after."""
    daemons = [daemon_factory("2.x") for _host in HOSTS]
    try:
        hosts = _hosts(daemons, "fleet-%s" % uuid.uuid4().hex[:8], busybox_archive, busybox_v2_tag_archive)
        yield Fleet(hosts, Ansible(tmp_path / "ansible"))
    finally:
        for daemon in daemons:
            daemon.destroy()
