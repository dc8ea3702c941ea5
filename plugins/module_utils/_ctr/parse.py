# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing of ctr's output, in one place, for containerd 1.6, 1.7 and 2.x.

ctr prints tables through Go's tabwriter: columns are aligned, cells may contain single spaces
("1008.1 KiB", "CREATED AT"), and empty cells are blank or "-". Columns are therefore cut at the
positions of the known header names, not split on whitespace.
"""

from __future__ import annotations

import re

from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import UnexpectedCtrOutput


def parse_table(text, columns):
    """Rows of a ctr table as dicts keyed by lower-case column name (spaces become underscores).

    ``columns`` are the header names in order. A missing header raises ValueError: it means the
    output format changed and silently guessing would be worse.
    """
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return []
    header = lines[0]
    starts = []
    position = 0
    for name in columns:
        match = re.compile(r"(?:^|(?<=\s))" + re.escape(name) + r"(?=\s|$)").search(header, position)
        if not match:
            raise UnexpectedCtrOutput("column %r not found in ctr output header %r" % (name, header))
        starts.append(match.start())
        position = match.end()
    keys = [name.lower().replace(" ", "_") for name in columns]
    rows = []
    for line in lines[1:]:
        row = {}
        for index, key in enumerate(keys):
            end = starts[index + 1] if index + 1 < len(starts) else None
            row[key] = line[starts[index]:end].strip()
        rows.append(row)
    return rows


def parse_labels(text):
    """``a=b,c=d`` (or "-"/"") -> dict. A piece without '=' belongs to the previous value (a comma in it)."""
    labels = {}
    if not text or text == "-":
        return labels
    last = None
    for piece in text.split(","):
        if "=" in piece:
            key, value = piece.split("=", 1)
            labels[key] = value
            last = key
        elif last is not None:
            labels[last] += "," + piece
    return labels


def parse_list(text):
    """Output of a ``-q`` listing: one name per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def version_tuple(version):
    """'1.7.24~ds1' -> (1, 7, 24); '2.1.9+unknown' -> (2, 1, 9); unknown -> (0, 0, 0)."""
    match = _VERSION.search(version or "")
    if not match:
        return (0, 0, 0)
    return tuple(int(part or 0) for part in match.groups())


def parse_version(text):
    """Output of ``ctr version`` -> {'client': {...}, 'server': {...}} with lower-case keys."""
    result = {"client": {}, "server": {}}
    section = None
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped in ("Client:", "Server:"):
            section = stripped[:-1].lower()
            continue
        if section and ":" in stripped:
            key, value = stripped.split(":", 1)
            result[section][key.strip().lower().replace(" ", "_")] = value.strip()
    for part in result.values():
        if "version" in part:
            part["version_tuple"] = list(version_tuple(part["version"]))
    return result


def parse_namespaces(text):
    """``ctr namespaces ls`` -> [{'name': ..., 'labels': {...}}]."""
    return [{"name": row["name"], "labels": parse_labels(row["labels"])}
            for row in parse_table(text, ["NAME", "LABELS"])]


def parse_plugins(text):
    """``ctr plugins ls`` -> [{'type', 'id', 'platforms': [...], 'status'}]."""
    plugins = []
    for row in parse_table(text, ["TYPE", "ID", "PLATFORMS", "STATUS"]):
        platforms = [] if row["platforms"] in ("", "-") else row["platforms"].split(",")
        plugins.append({"type": row["type"], "id": row["id"], "platforms": platforms, "status": row["status"]})
    return plugins


_SIZE_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3, "TiB": 1024 ** 4,
               "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}


def parse_size(text):
    """'1008.1 KiB' -> 1032294 (approximate bytes, as ctr rounds); unknown -> None."""
    match = re.match(r"^\s*([\d.]+)\s*([A-Za-z]+)\s*$", text or "")
    if not match or match.group(2) not in _SIZE_UNITS:
        return None
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


def parse_images(text):
    """``ctr images ls`` -> [{'name', 'media_type', 'digest', 'size', 'size_bytes', 'platforms', 'labels'}]."""
    images = []
    for row in parse_table(text, ["REF", "TYPE", "DIGEST", "SIZE", "PLATFORMS", "LABELS"]):
        platforms = [] if row["platforms"] in ("", "-") else row["platforms"].split(",")
        images.append({
            "name": row["ref"], "media_type": row["type"], "digest": row["digest"], "size": row["size"],
            "size_bytes": parse_size(row["size"]), "platforms": platforms, "labels": parse_labels(row["labels"]),
        })
    return images


def parse_containers(text):
    """``ctr containers ls`` -> [{'name', 'image', 'runtime'}]."""
    return [{"name": row["container"], "image": row["image"], "runtime": row["runtime"]}
            for row in parse_table(text, ["CONTAINER", "IMAGE", "RUNTIME"])]


def parse_tasks(text):
    """``ctr tasks ls`` -> [{'name', 'pid', 'status'}] with status lower-case (running, paused, stopped)."""
    tasks = []
    for row in parse_table(text, ["TASK", "PID", "STATUS"]):
        pid = int(row["pid"]) if row["pid"].isdigit() else None
        tasks.append({"name": row["task"], "pid": pid, "status": row["status"].lower()})
    return tasks


def parse_snapshots(text):
    """``ctr snapshots ls`` -> [{'key', 'parent', 'kind'}]."""
    return [{"key": row["key"], "parent": row["parent"], "kind": row["kind"].lower()}
            for row in parse_table(text, ["KEY", "PARENT", "KIND"])]


# ---- images (containerd.runtime.image) ---------------------------------------------------------------

_CHECK_STATUS = re.compile(r"^(complete|incomplete|missing|unavailable)\s*(?:\((\d+)/(\d+)\))?")


def parse_image_check(text):
    """``ctr images check`` -> [{'name', 'digest', 'status', 'complete', 'available', 'required', 'unpacked'}].

    ``complete`` is True only when every blob of the image (for the platforms it needs) is in the content
    store; ``unpacked`` is True/False for the snapshotter asked about.
    """
    images = []
    for row in parse_table(text, ["REF", "TYPE", "DIGEST", "STATUS", "SIZE", "UNPACKED"]):
        match = _CHECK_STATUS.match(row["status"].lower())
        status = match.group(1) if match else row["status"].lower()
        images.append({
            "name": row["ref"], "media_type": row["type"], "digest": row["digest"], "status": status,
            "complete": status == "complete",
            "available": int(match.group(2)) if match and match.group(2) else None,
            "required": int(match.group(3)) if match and match.group(3) else None,
            "unpacked": row["unpacked"].lower() == "true",
        })
    return images


# ---- containers and tasks (container/task/task_exec modules) ----------------------------------------


def parse_json_blob(text):
    """A JSON document printed by ctr (``containers info``, ``content get``) -> dict."""
    import json  # local: keeps this additive section self-contained
    try:
        value = json.loads(text or "")
    except ValueError as error:
        raise UnexpectedCtrOutput("ctr printed something that is not JSON (%s): %r" % (error, (text or "")[:200]))
    return value if isinstance(value, dict) else {}


def parse_container_info(text):
    """``ctr containers info NAME`` -> the container record as a dict (ID, Labels, Image, Runtime, Spec, ...).

    ctr 1.6 prints the spec as a nested object and so do 1.7 and 2.x; an older ``Spec`` given as
    {'type_url', 'value'} carries no readable spec and becomes {}.
    """
    record = parse_json_blob(text)
    spec = record.get("Spec")
    if not isinstance(spec, dict) or "type_url" in spec:
        record["Spec"] = {}
    record["Labels"] = record.get("Labels") or {}
    return record


_EXIT_STATUS = re.compile(r"exit with non-zero exit code (\d+)")


def parse_task_exit_status(stderr):
    """Exit status of a deleted task: ctr only warns 'task X exit with non-zero exit code N'; else 0."""
    match = _EXIT_STATUS.search(stderr or "")
    return int(match.group(1)) if match else 0


def is_ctr_failure(stderr):
    """Whether stderr ends with ctr's own error line (``ctr: ...``), not just what a process printed."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    return bool(lines) and lines[-1].startswith("ctr: ")
