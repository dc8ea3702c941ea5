# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""image: pushing to a real registry, verified with the registry's own API."""
import pytest

from harness.assertions import assert_clean_failure

BUSYBOX = "docker.io/library/busybox:test"


@pytest.mark.parametrize("kind", ["registry", "auth_registry"])
def test_push(request, ansible, containerd, namespace, busybox, repo, kind):
    server = request.getfixturevalue(kind)
    ref = server.ref(repo, "1")
    containerd.ctr("images", "tag", busybox, ref, namespace=namespace)
    digest = containerd.lines("images", "ls", namespace=namespace)[1].split()[2]
    args = dict(server.module_args(), name=ref, source="local", push=True, tags=[server.ref(repo, "stable")])

    def pushed(diff):
        assert diff["before"]["pushed"] == {ref: None, server.ref(repo, "stable"): None}
        assert diff["after"]["pushed"] == {ref: digest, server.ref(repo, "stable"): digest}

    converged = ansible.converge("image", args, observe=lambda: [(tag, server.digest(repo, tag))
                                                                 for tag in server.tags(repo)], expect_diff=pushed)
    assert converged.before == []
    assert converged.after == [("1", digest), ("stable", digest)]


def test_push_to_a_registry_that_refuses_it_fails_cleanly(ansible, containerd, namespace, busybox, repo,
                                                          readonly_registry):
    ref = readonly_registry.ref(repo, "1")
    containerd.ctr("images", "tag", busybox, ref, namespace=namespace)
    result = ansible.module("image", {"name": ref, "source": "local", "push": True, "plain_http": True})
    assert_clean_failure(result, "refused to push")
    assert readonly_registry.tags(repo) == []
