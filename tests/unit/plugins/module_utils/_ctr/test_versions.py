# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The feature table: a feature backported to patch releases is decided by the patch release of its line."""
import pytest

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import versions


@pytest.mark.parametrize("version,has", [((1, 5, 18), False), ((1, 6, 20), False), ((1, 6, 25), True),
                                         ((1, 7, 8), False), ((1, 7, 9), True), ((1, 7, 24), True),
                                         ((2, 0, 0), True), ((2, 1, 9), True), ((2, 4, 0), True)])
def test_ctr_deprecations_list_exists_from_1_6_25_1_7_9_and_2_0(version, has):
    assert versions.has("deprecations", version, (2, 1, 9)) is has


def test_a_feature_of_one_release_line_is_decided_by_major_and_minor_only():
    assert versions.has("container_user", (1, 7, 0), (1, 6, 20)) and not versions.has("container_user", (1, 6, 99), (2, 1, 9))


def test_the_message_for_a_backported_feature_names_each_first_patch_release():
    assert versions.missing_message(["deprecations"], (1, 6, 20), (1, 6, 20)) == (
        "deprecations needs containerd 1.6.25, 1.7.9 or 2.0.0 or later: ctr 1.6.20 cannot set it")
