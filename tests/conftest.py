# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Put this checkout on the import path as ``ansible_collections.containerd.runtime``."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))

from harness.ansible import ensure_collection_link  # noqa: E402

sys.path.insert(0, str(ensure_collection_link()))
