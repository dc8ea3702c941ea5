# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Containers in two namespaces, with labels, made by the collection's modules; inventory files that find them."""
import json
from types import SimpleNamespace

import pytest

from harness import container_hosts


@pytest.fixture(scope="module")
def fleet(containerd, tmp_path_factory):
    """Namespace ``front`` with web1, web2 (role=web) and a stopped old1; namespace ``back`` with db1 (role=db)."""
    made = SimpleNamespace(front=container_hosts.unique("inv-front"), back=container_hosts.unique("inv-back"))
    runner = container_hosts.runner(tmp_path_factory.mktemp("fleet"), containerd, made.front)
    container_hosts.create_hosts(runner, ["web1", "web2", "old1"], stopped=["old1"], labels={
        "web1": {"role": "web", "tier": "front"}, "web2": {"role": "web"}, "old1": {"role": "web"}})
    container_hosts.create_hosts(runner, ["db1"], labels={"db1": {"role": "db"}}, namespace=made.back)
    yield made
    containerd.clean_namespace(made.front)
    containerd.clean_namespace(made.back)


@pytest.fixture
def inventory(tmp_path, containerd, fleet):
    """inventory(*args, **config) -> (CompletedProcess, data): ``ansible-inventory -i <file> *args`` with an
    inventory file of the plugin for both namespaces plus ``config``; data is the parsed --list output."""
    # a source the plugin cannot read fails the command (ansible-inventory only warns by default)
    runner = container_hosts.runner(tmp_path / "ansible", containerd, fleet.front,
                                    env={"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "1"})

    def run(*args, **config):
        source = tmp_path / "hosts.containerd.yml"
        source.write_text(json.dumps(dict({
            "plugin": "containerd.runtime.containerd", "address": containerd.socket, "ctr_path": containerd.ctr_path,
            "namespaces": [fleet.front, fleet.back]}, **config)))
        proc, _records = container_hosts.ansible_command(runner, "ansible-inventory", "-i", source, *(args or ["--list"]))
        data = json.loads(proc.stdout) if proc.returncode == 0 and (not args or "--list" in args) else None
        return proc, data
    run.runner = runner
    return run
