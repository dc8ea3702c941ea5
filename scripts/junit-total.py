# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print one closing line, 'tests: N passed, N failed, N skipped', from pytest's JUnit XML reports."""
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        failed += 1  # a stage that wrote no report did not pass
        continue
    for suite in root.iter("testsuite"):
        tests, errors, failures, skips = (int(suite.get(key, 0)) for key in ("tests", "errors", "failures", "skipped"))
        failed += errors + failures
        skipped += skips
        passed += tests - errors - failures - skips
print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
