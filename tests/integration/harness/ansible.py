# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook against localhost with this collection and return parsed task results."""
import json
import os
import subprocess
import sys
from pathlib import Path

from harness import sequence

REPO = Path(__file__).resolve().parents[3]
COLLECTIONS = REPO / ".build" / "collections"
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"
BIN = Path(sys.executable).parent
GROUP = "group/containerd.runtime.containerd"


def ensure_collection_link():
    """Make ``ansible_collections.containerd.runtime`` resolve to this checkout (a symlink)."""
    link = COLLECTIONS / "ansible_collections" / "containerd" / "runtime"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO)
    return COLLECTIONS


class PlayResult:
    """Task records of one run: ``play[0]`` is the first task's result dict, ``play.status(0)`` its status."""

    def __init__(self, records, proc):
        self.records = records
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        return self.records[index]["result"]

    def status(self, index):
        return self.records[index]["status"]

    def statuses(self):
        return [record["status"] for record in self.records]

    def failures(self):
        """``[(task name, msg)]`` of the failed tasks: what a failing assertion should show first."""
        return [(record["task"], record["result"].get("msg")) for record in self.records
                if record["status"] == "failed"]

    def __repr__(self):
        # failures first: pytest cuts long reprs, and the failure message is what a reader needs
        return "PlayResult(rc=%s, failures=%s, records=%s, stderr=%s)" % (
            self.rc, self.failures(), self.records, self.stderr[-2000:])


class Ansible:
    """Runs plays on localhost; ``defaults`` become module_defaults for the collection's action group."""

    def __init__(self, workdir, defaults=None, env=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.defaults = dict(defaults or {})
        self.env = dict(env or {})
        self.runs = 0

    def environment(self):
        env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(ensure_collection_link()),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "record",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_GATHERING": "explicit",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCAL_TEMP": str(self.workdir / "tmp"),
            "ANSIBLE_REMOTE_TEMP": str(self.workdir / "tmp"),
            "ANSIBLE_HOME": str(self.workdir / "home"),
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "PATH": "%s:%s" % (BIN, os.environ.get("PATH", "/usr/bin:/bin")),
        })
        env.update(self.env)
        return env

    def run(self, tasks, check=False, diff=False, ignore_errors=True, verbosity=0, extra_vars=None, env=None,
            defaults=None, inventory=None, roles=None, play_vars=None):
        """Run ``tasks`` (list of task dicts) in one play; every task's result is recorded.

        ``inventory`` ({host name: host vars}) runs the play on those hosts instead of localhost, each with
        the local connection (several "hosts" on this machine).

        ``roles`` (role names or dicts such as ``{"role": "containerd.runtime.containerd"}``) run before the
        tasks, with ``play_vars`` as the play's vars; ``ignore_errors`` applies to ``tasks`` only.
        """
        defaults = dict(self.defaults, **(defaults or {}))
        play = {"hosts": "all" if inventory else "localhost", "gather_facts": False,
                "tasks": [dict(task, ignore_errors=ignore_errors) for task in tasks]}
        if roles:
            play["roles"] = list(roles)
        if play_vars:
            play["vars"] = dict(play_vars)
        if defaults:
            play["module_defaults"] = {GROUP: defaults}
        playbook = self.workdir / ("play-%03d.yml" % (self.runs + 1))
        playbook.write_text(json.dumps([play], indent=2))
        return self.playbook(playbook, inventory=inventory, extra_vars=extra_vars, check=check, diff=diff, env=env,
                             verbosity=verbosity)

    def playbook(self, playbook, inventory=None, extra_vars=None, check=False, diff=False, limit=None, env=None,
                 verbosity=0):
        """Run an existing playbook: a file path, or a collection playbook name (``containerd.runtime.deploy``).

        Every task's result is recorded. ``inventory`` is either ``{host: hostvars}`` (every host in group
        ``all`` with the local connection) or a whole YAML-style inventory (``{"all": {"children": {...}}}``)
        for plays that target a group; without it the play runs on ``localhost``. ``limit`` is ``--limit``;
        ``env`` adds environment variables.
        """
        self.runs += 1
        record = self.workdir / ("play-%03d.json" % self.runs)
        hosts = "localhost,"
        if inventory:
            if set(inventory) == {"all"} and isinstance(inventory["all"], dict) and \
                    set(inventory["all"]) <= {"hosts", "children", "vars"}:
                data = inventory
            else:
                data = {"all": {"hosts": {name: dict({"ansible_connection": "local"}, **(variables or {}))
                                          for name, variables in inventory.items()}}}
            hosts = str(self.workdir / ("inventory-%03d.json" % self.runs))
            Path(hosts).write_text(json.dumps(data))
        path = Path(playbook)
        target = str(path.resolve()) if path.exists() else str(playbook)
        argv = [str(BIN / "ansible-playbook"), "-i", hosts, "-c", "local", target]
        if check:
            argv.append("--check")
        if diff:
            argv.append("--diff")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        if limit:
            argv += ["--limit", limit if isinstance(limit, str) else ",".join(limit)]
        if extra_vars:
            argv += ["-e", json.dumps(extra_vars)]
        proc = subprocess.run(argv, cwd=self.workdir, capture_output=True, text=True, timeout=600, check=False,
                              env=dict(self.environment(), RECORD_FILE=str(record), **(env or {})))
        records = json.loads(record.read_text()) if record.exists() else []
        return PlayResult(records, proc)

    def module(self, name, args=None, check=False, diff=False, **kwargs):
        """Run one module task and return its result dict (with ``status`` added)."""
        if "." not in name:
            name = "containerd.runtime." + name
        play = self.run([{"name": name, name: args or {}}], check=check, diff=diff, **kwargs)
        assert len(play) == 1, play
        return dict(play[0], status=play.status(0))

    def converge(self, module, args=None, **kwargs):
        """Check mode, real run, idempotent check and real run of one module task, asserted step by step;
        returns the four results (``harness.sequence.converge``, which documents the options)."""
        __tracebackhide__ = True
        return sequence.converge(self, module, args, **kwargs)
