# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix report (issue 13): fault cases record a row (fault | what the user sees | what was kept);
the run ends with the table, printed and written to ``.build/reports/fault-matrix.md``.

Rows are files (one per test) so that xdist workers can write them; the controller clears them when the
run starts (``reset``) and assembles the table in its terminal summary (``summary``).
"""
import json
import re
import shutil
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[3] / ".build" / "reports"
ROWS = REPORTS / "fault-matrix.d"
REPORT = REPORTS / "fault-matrix.md"


def reset():
    shutil.rmtree(str(ROWS), ignore_errors=True)


class Recorder:
    """``row(fault, seen, kept)`` for the test ``nodeid``."""

    def __init__(self, nodeid):
        self.nodeid = nodeid

    def row(self, fault, seen, kept):
        ROWS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.nodeid)
        (ROWS / (name + ".json")).write_text(json.dumps({"fault": fault, "seen": seen, "kept": kept,
                                                         "test": self.nodeid}))


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table():
    """The Markdown table of the rows recorded in this run, or None."""
    rows = [json.loads(path.read_text()) for path in sorted(ROWS.glob("*.json"))] if ROWS.is_dir() else []
    if not rows:
        return None
    lines = ["| fault | what the user sees | what was kept |", "|---|---|---|"]
    lines += ["| %s | %s | %s |" % (cell(row["fault"]), cell(row["seen"]), cell(row["kept"]))
              for row in sorted(rows, key=lambda row: row["fault"])]
    return "\n".join(lines) + "\n"


def summary(terminalreporter):
    """Write the report and print it, when fault cases ran."""
    text = table()
    if text is None:
        return
    REPORTS.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("# Fault matrix\n\n" + text)
    terminalreporter.write_sep("=", "fault matrix (%s)" % REPORT.relative_to(REPORTS.parents[1]))
    terminalreporter.write(text)
