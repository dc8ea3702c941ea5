# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Images: references, the registry HTTP API v2 (digest lookups for check mode), registry options -> client, image
# archives, the converge code of the image module and the reads of image_info. Private to this collection.
# May import _common and _ctr.
