# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Give every tracked .py and .sh file the collection's SPDX licence identifier.

    python3 scripts/spdx-headers.py            add ``# SPDX-License-Identifier: GPL-3.0-or-later`` where it is missing
    python3 scripts/spdx-headers.py --check    list the files without it and exit 1 (nothing is written)
    python3 scripts/spdx-headers.py --report   list them, exit 0

A file with the copyright header gets the identifier on the line after it (after the "GNU General
Public License" line when that follows the copyright line); a file without one gets the whole header
after its shebang (or at the top). Running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

SPDX = "# SPDX-License-Identifier: GPL-3.0-or-later"
COPYRIGHT = "# Copyright (c) containerd.runtime contributors"
LICENSE_LINE = "# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)"
HEAD_LINES = 15  # where the header must be: within the first lines of the file


def tracked_files(root: Path) -> list[Path]:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--", "*.py", "*.sh"],
        check=True, capture_output=True, text=True,
    ).stdout
    return [root / name for name in out.split("\0") if name and (root / name).is_file()]


def has_spdx(lines: list[str]) -> bool:
    return any(line.startswith("# SPDX-License-Identifier:") for line in lines[:HEAD_LINES])


def with_spdx(text: str) -> str:
    """The file's text with the identifier added (unchanged when it already has one)."""
    lines = text.splitlines(keepends=True)
    if has_spdx(lines):
        return text
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for index, line in enumerate(lines[:HEAD_LINES]):
        if line.lower().startswith("# copyright"):
            after = index + 1
            if after < len(lines) and "General Public License" in lines[after]:
                after += 1
            return "".join(lines[:after] + [SPDX + newline] + lines[after:])
    header = [COPYRIGHT + newline, LICENSE_LINE + newline, SPDX + newline]
    start = 1 if lines and lines[0].startswith("#!") else 0
    if start == 1 and len(lines) > 1 and "coding" in lines[1] and lines[1].startswith("#"):
        start = 2
    if start and not lines[start - 1].endswith(("\n", "\r\n")):
        lines[start - 1] += newline
    return "".join(lines[:start] + header + lines[start:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="list files without the identifier, exit 1 if any")
    mode.add_argument("--report", action="store_true", help="list files without the identifier, exit 0")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)

    missing = []
    for path in tracked_files(args.root):
        text = path.read_text(encoding="utf-8")
        if not text:  # an empty file holds nothing to license (module_utils' __init__.py must be empty)
            continue
        new = with_spdx(text)
        if new == text:
            continue
        missing.append(path.relative_to(args.root))
        if not (args.check or args.report):
            path.write_text(new, encoding="utf-8")
    verb = "added the SPDX identifier to" if not (args.check or args.report) else "without the SPDX identifier:"
    for name in missing:
        print(f"  {name}")
    print(f"spdx-headers: {verb} {len(missing)} file(s)" if missing else "spdx-headers: every .py/.sh file has it")
    return 1 if (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
