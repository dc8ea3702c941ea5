# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# containerd config.toml: the schema keys of config versions 2 and 3, deep merge, hosts.toml data, and the
# argument spec the containerd_config module stub and its action plugin share. Private. May import _common.
