# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small model of containerd behind the stub runner: FakeCtr answers ctr's argv as a daemon would."""
import json
import re
import threading
import time

from ansible_collections.containerd.runtime.plugins.module_utils._container import spec
from ansible_collections.containerd.runtime.plugins.module_utils._workloads.entries import MANAGED_LABEL
from stub_runner import StubRunner, shim_logged

IMAGE = "docker.io/library/busybox:test"
INDEX = "sha256:" + "1" * 64
CONFIG = "sha256:" + "2" * 64
IMAGE_CONFIG = {"config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]}}
VERSION = "Client:\n  Version:  1.7.24\n\nServer:\n  Version:  1.7.24\n"


def record_for(name, entry):
    """A containers-info record exactly like the one the module would create for ``entry``."""
    want = spec.desired(dict(entry, runtime=spec.DEFAULT_RUNTIME, stop_timeout=spec.DEFAULT_STOP_TIMEOUT),
                        {"name": IMAGE, "digest": INDEX, "config": IMAGE_CONFIG})
    labels = dict(want["labels"], **{spec.IMAGE_DIGEST_LABEL: INDEX, spec.STOP_TIMEOUT_LABEL: "10",
                                     spec.STOP_SIGNAL_LABEL: want["stop_signal"], MANAGED_LABEL: "workloads"})
    labels.update(spec.image_config_label({"name": IMAGE, "digest": INDEX, "config": IMAGE_CONFIG}))
    return {"ID": name, "Labels": labels, "Image": IMAGE, "Runtime": {"Name": want["runtime"]},
            "Spec": {"process": {"args": want["command"], "env": ["%s=%s" % item for item in want["env"].items()],
                                 "cwd": want["working_dir"]},
                     "linux": {"namespaces": [{"type": "network"}]}}}


_TERM = re.compile(r'(id|labels\."((?:[^"\\]|\\.)*)")=="((?:[^"\\]|\\.)*)"(?:,|$)')


def _unquote(text):
    return re.sub(r"\\(.)", r"\1", text)


def matches(record, text):
    """Whether ``record`` matches the filter ``text`` of the shape the batch writes (containerd's syntax:
    ``id=="NAME",labels."KEY"=="VALUE",...``, all terms ANDed); any other shape is a ctr error."""
    position, found = 0, True
    while position < len(text):
        term = _TERM.match(text, position)
        if term is None:
            raise AssertionError("a filter shape the fake does not know: %r" % text)
        position = term.end()
        value = _unquote(term.group(3))
        have = record["ID"] if term.group(1) == "id" else (record.get("Labels") or {}).get(_unquote(term.group(2)))
        found = found and have == value
    return found


def table(headers, rows):
    """ctr's tabwriter layout: columns padded to their widest cell."""
    widths = [max(len(str(row[index])) for row in [headers] + rows) + 3 for index in range(len(headers))]
    return "".join("".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n"
                   for row in [headers] + rows)


class FakeCtr(StubRunner):
    """A StubRunner that answers from a small model of containerd (thread-safe; calls in any order)."""

    def __init__(self, delay=0.0):
        super(FakeCtr, self).__init__()
        self.records = {}  # (namespace, name) -> record
        self.tasks = {}  # (namespace, name) -> status
        self.delay = delay
        self.version = VERSION  # what ``ctr version`` prints
        self.lock = threading.Lock()
        self.active = 0
        self.most_active = 0

    def __call__(self, argv, data=None):
        with self.lock:
            self.calls.append(argv)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            time.sleep(self.delay)
            return self.answer(argv)
        finally:
            with self.lock:
                self.active -= 1

    @staticmethod
    def split(argv):
        """(namespace, the ctr arguments after the global flags without the ``--`` that ends the flags)."""
        namespace = argv[argv.index("--namespace") + 1] if "--namespace" in argv else None
        args = argv[argv.index("--timeout") + 2 + (2 if namespace else 0):]
        if "--" in args:
            args = args[:args.index("--")] + args[args.index("--") + 1:]
        return namespace, args

    def answer(self, argv):
        namespace, args = self.split(argv)
        if args == ["version"]:
            return 0, self.version, ""
        if args == ["images", "ls"]:
            return 0, table(["REF", "TYPE", "DIGEST", "SIZE", "PLATFORMS", "LABELS"],
                            [[IMAGE, "application/vnd.oci.image.index.v1+json", INDEX, "1.0 MiB", "linux/amd64", "-"]]), ""
        if args[:2] == ["content", "get"]:
            blob = {"config": {"digest": CONFIG}} if args[2] == INDEX else IMAGE_CONFIG
            return 0, json.dumps(blob), ""
        if args == ["tasks", "ls"]:
            rows = [[name, "42", status.upper()] for (ns, name), status in sorted(self.tasks.items()) if ns == namespace]
            return 0, table(["TASK", "PID", "STATUS"], rows), ""
        if args[:2] == ["containers", "ls"]:
            rows = [[name, IMAGE, "io.containerd.runc.v2"] for (ns, name), record in sorted(self.records.items())
                    if ns == namespace and (len(args) == 2 or any(matches(record, text) for text in args[2:]))]
            return 0, table(["CONTAINER", "IMAGE", "RUNTIME"], rows), ""
        if args[:2] == ["containers", "info"]:
            record = self.records.get((namespace, args[2]))
            if record is None:
                return 1, "", 'ctr: container "%s" in namespace "%s": not found\n' % (args[2], namespace)
            return 0, json.dumps(record), ""
        if args[:2] == ["tasks", "exec"]:
            return shim_logged(0)(argv) if args[-1] == "true" else shim_logged(1, stderr=b"nope\n")(argv)
        if args[:2] == ["containers", "create"]:
            name = args[args.index(IMAGE) + 1]
            labels = dict(args[index + 1].split("=", 1) for index, arg in enumerate(args) if arg == "--label")
            self.records[(namespace, name)] = {"ID": name, "Labels": labels, "Image": IMAGE, "Spec": {}}
        if args[:2] == ["containers", "label"]:
            labels = self.records[(namespace, args[2])]["Labels"]
            labels.update(item.split("=", 1) for item in args[3:])
        if args[:2] == ["tasks", "start"]:
            self.tasks[(namespace, args[-1])] = "running"
        if args[:2] == ["tasks", "kill"]:
            self.tasks[(namespace, args[-1])] = "stopped"
        if args[:2] == ["tasks", "delete"]:
            self.tasks.pop((namespace, args[-1]), None)
        if args[:2] == ["containers", "delete"]:
            self.records.pop((namespace, args[2]), None)
        return 0, "", ""

    def writes(self):
        reads = (["version"], ["images", "ls"], ["tasks", "ls"])
        return [args for _ns, args in map(self.split, self.calls)
                if args not in reads and args[:2] not in (["content", "get"], ["containers", "info"], ["containers", "ls"])]
