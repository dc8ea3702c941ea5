# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for CNI plugins at the runner seam: executables that never run, and a runner that answers."""
import json
import os

# A bridge plugin's ADD result for netns /var/run/netns/x (container interface eth0, dual stack).
RESULT = {
    "cniVersion": "1.0.0",
    "interfaces": [{"name": "cni0", "mac": "aa:00:00:00:00:01"}, {"name": "veth1", "mac": "aa:00:00:00:00:02"},
                   {"name": "eth0", "mac": "aa:00:00:00:00:03", "sandbox": "/var/run/netns/x"}],
    "ips": [{"interface": 2, "address": "10.88.0.2/16", "gateway": "10.88.0.1"},
            {"interface": 2, "address": "fd00::2/64", "gateway": "fd00::1"}],
    "routes": [{"dst": "0.0.0.0/0"}],
    "dns": {},
}


def make_plugin_dir(directory, *names):
    """Empty executables named like CNI plugins in ``directory``; returns the bin_dir list."""
    for name in names:
        (directory / name).write_text("")
        os.chmod(str(directory / name), 0o755)
    return [str(directory)]


class PluginRunner(object):
    """Stands in for run_command when CniRuntime runs a plugin: records each call (argv, stdin, env) and
    answers like the plugins would - VERSION with every CNI version, ADD with RESULT (the prevResult when
    there is one), CHECK and DEL with nothing - unless ``answers`` has a reply for (command, plugin type)."""

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.calls = []

    def run_command(self, argv, data=None, environ_update=None, check_rc=False):
        env = dict(environ_update)
        stdin = json.loads(data) if data else None
        kind = os.path.basename(argv[0])
        self.calls.append({"argv": argv, "stdin": stdin, "env": env})
        command = env["CNI_COMMAND"]
        if (command, kind) in self.answers:
            return self.answers[(command, kind)]
        if command == "VERSION":
            return 0, json.dumps({"supportedVersions": ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]}), ""
        if command == "ADD":
            return 0, json.dumps(stdin.get("prevResult") or RESULT), ""
        return 0, "", ""

    def commands(self):
        """(CNI_COMMAND, plugin) of every call, in order."""
        return [(call["env"]["CNI_COMMAND"], os.path.basename(call["argv"][0])) for call in self.calls]
