#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: containerd_config
short_description: Render containerd's config.toml from data, for the installed version's schema
version_added: 0.4.0
description:
  - Builds containerd's C(config.toml) from data, never by editing text. It starts from
    C(containerd config default) of the installed binary (so every key the role does not set keeps that
    version's default), merges O(settings) at the keys of that version's config schema, then the free-form
    O(overrides), and writes the result with tomli-w.
  - Schema version 2 is used by containerd 1.x (the CRI plugin C(io.containerd.grpc.v1.cri)), version 3 by
    containerd 2.0 to 2.2 (C(io.containerd.cri.v1.images) and C(io.containerd.cri.v1.runtime)), version 4
    by 2.3+ (CRI as in 3; the server settings in the plugins C(io.containerd.server.v1.grpc), C(ttrpc),
    C(metrics), C(debug) instead of the top-level C(grpc), C(ttrpc), C(metrics) tables, which containerd
    ignores in a version-4 file, so O(overrides) setting them fail). Any other version fails with a message
    saying so.
  - With O(layout=dropin) the settings and O(overrides) go to O(dropin_path) only, and O(path) (config.toml,
    perhaps written by other tools) just gains an C(imports) entry for it, nothing else changed (a minimal
    one is created when there is none). The drop-in has config.toml's version when that is older (3 under a
    version-4 containerd). On containerd 1.x an imported plugin table replaces config.toml's whole table, so
    there the drop-in carries config.toml's table of each plugin it sets, merged with the settings. After
    writing, C(containerd --config <path> config dump) checks the composition; when it fails both files
    are put back.
  - Keys a release removed (C(enable_cdi), CNI C(bin_dir) in 2.4) are dropped from O(overrides) with a
    warning where that version's defaults lack them.
  - The new file is validated by the installed containerd (C(containerd --config <new> config dump))
    before it replaces the old one; a config that does not validate fails the task with containerd's own
    message and the old file stays. The old file is kept as O(previous_path) so that a restart that fails
    can restore it.
  - This is an action plugin; the TOML work happens on the controller (tomllib, tomli-w), the host only
    needs the containerd binary.
author:
  - containerd.runtime developers (@containerd-runtime)
requirements:
  - tomli-w on the controller
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The new config is still validated by containerd in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
options:
  path:
    description: Path of the config file to write.
    type: path
    default: /etc/containerd/config.toml
  containerd_path:
    description: The installed containerd binary whose defaults and validation are used.
    type: path
    default: containerd
  settings:
    description:
      - High-level settings, each written at the key of the installed version's schema. V(null) or absent
        keeps containerd's default.
      - C(root), C(state), C(grpc_address), C(grpc_uid), C(grpc_gid), C(debug_level), C(metrics_address) are
        top-level keys in schemas 2 and 3; in schema 4 C(grpc_*) and C(metrics_address) go to the server
        plugins (C(grpc_address) also sets the ttrpc plugin's address to C(<grpc_address>.ttrpc), which
        version 4 no longer derives), C(debug_level) stays C(debug.level).
      - C(snapshotter) (CRI's snapshotter), C(sandbox_image) (v2 C(sandbox_image), v3
        C(pinned_images.sandbox)), C(registry_config_path) (CRI's C(registry.config_path) and, where the
        version has it, the transfer service's C(config_path)), C(cni_conf_dir), C(cni_bin_dir).
      - C(systemd_cgroup) sets C(SystemdCgroup) in the options of every runc runtime (the default one and
        those of C(runtimes)) unless a runtime sets it itself.
      - C(runtimes) is a dict of extra CRI runtimes, name to settings (C(runtime_type) defaults to
        C(io.containerd.runc.v2); C(options) for example C(BinaryName)).
    type: dict
    default: {}
  overrides:
    description:
      - Free-form dict deep-merged last, at the keys of the installed version's schema; tables merge key by
        key, other values replace, V(null) deletes a key.
    type: dict
    default: {}
  mode:
    description:
      - Mode of the config file. Use V("0600") when the config holds credentials (CRI registry C(auth),
        C(headers)); a mode that keeps others out is set before the new content is written, and a more open
        mode with credentials in the config gives a warning.
    type: raw
    default: "0644"
  owner:
    description: Owner of the config file.
    type: str
  group:
    description: Group of the config file.
    type: str
  previous_path:
    description: Where the file being replaced is kept. Default is O(path) with C(.previous) appended.
    type: path
  validate:
    description: Validate the new config with C(containerd config dump) before writing it.
    type: bool
    default: true
  layout:
    description:
      - V(file) writes the whole config to O(path); V(dropin) writes only O(dropin_path) and adds its
        C(imports) entry to O(path).
    type: str
    choices: [file, dropin]
    default: file
    version_added: 0.5.0
  dropin_path:
    description: The role's own drop-in, with O(layout=dropin).
    type: path
    default: /etc/containerd/conf.d/50-containerd-runtime.toml
    version_added: 0.5.0
"""

EXAMPLES = r"""
- name: containerd config with systemd cgroups, a local pause image and registry hosts
  containerd.runtime.containerd_config:
    path: /etc/containerd/config.toml
    containerd_path: /usr/local/bin/containerd
    settings:
      systemd_cgroup: true
      sandbox_image: registry.local/pause:3.10
      registry_config_path: /etc/containerd/certs.d
    overrides:
      debug:
        format: json
  register: containerd_config
"""

RETURN = r"""
path:
  description: The config file.
  returned: always
  type: str
  sample: /etc/containerd/config.toml
schema_version:
  description: Config schema version written (2 for 1.x, 3 for 2.0-2.2, 4 for 2.3+; a drop-in may have config.toml's older one).
  returned: always
  type: int
  sample: 3
keys:
  description: For each setting, the dotted key paths it was written to in this schema.
  returned: always
  type: dict
  sample: {"sandbox_image": ["plugins.io.containerd.cri.v1.images.pinned_images.sandbox"]}
config:
  description:
    - The rendered config, as data, with its secret parts (keys naming a password, token, secret or auth, and
      every C(headers) value) replaced by C(********). The diff masks them the same way.
  returned: always
  type: dict
previous:
  description: Where the replaced file was kept; V(null) when nothing was replaced.
  returned: always
  type: str
  sample: /etc/containerd/config.toml.previous
layout:
  description: The layout written, V(file) or V(dropin).
  returned: always
  type: str
  sample: dropin
config_path:
  description: With O(layout=dropin), the config.toml that imports the drop-in (O(path)); RV(path) is then the drop-in.
  returned: when layout is dropin
  type: str
  sample: /etc/containerd/config.toml
restore:
  description:
    - With O(layout=dropin), what a failed restart puts back, C(src) (the kept old file; empty when the file
      is new and is removed) to C(dest).
  returned: when layout is dropin
  type: list
  elements: dict
  sample: [{"src": "/etc/containerd/conf.d/50-containerd-runtime.toml.previous", "dest": "/etc/containerd/conf.d/50-containerd-runtime.toml"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._config.argspec import ARGUMENT_SPEC


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="containerd.runtime.containerd_config runs as an action plugin on the controller; "
                         "it cannot be run as a module on its own")


if __name__ == "__main__":
    main()
