# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Output ctr's parsers do not understand is a typed error (a clean module failure), not a bare ValueError."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CtrFailed


@pytest.mark.parametrize("call", [lambda: parse.parse_table("SURPRISE\nx\n", ["REF", "TYPE"]),
                                  lambda: parse.parse_json_blob("not json")])
def test_unexpected_ctr_output_is_a_typed_error(call):
    with pytest.raises(CtrFailed):
        call()
