#!/usr/bin/python
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: containerd_install
short_description: Install containerd, runc, CNI plugins, crictl or nerdctl from upstream release archives
version_added: 0.4.0
description:
  - Installs one component per call from its upstream release file (or a mirror of it, or a local copy),
    verified against a checksum, atomically, and records what it installed in a manifest.
  - Idempotent and cheap; the module first checks the manifest (version and each file's sha256) and the
    installed binary's own C(--version). When everything matches, nothing is downloaded or copied.
    A file changed outside Ansible is reinstalled and reported.
  - With O(download_on=controller) (the default) the action plugin downloads the release file once per
    controller into a cache, verifies it, and copies it to each host that needs it.
  - Atomic; files are extracted into a staging directory beside each destination directory, checked, and
    renamed into place file by file. A failure at any point leaves the previous binaries in place and
    runnable; temporary files are removed.
  - Does not talk to containerd, and does not restart it; restart the service after an upgrade.
author:
  - containerd.runtime developers (@containerd-runtime)
attributes:
  check_mode:
    support: full
    description: Predicts install, upgrade, downgrade, reinstall or nothing; downloads nothing and touches nothing.
  diff_mode:
    support: full
    description: Shows the installed version before and after.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
  action:
    support: full
    description: The download, the cache and the copy to the host run in the action plugin on the controller.
options:
  name:
    description:
      - The component to install.
    type: str
    required: true
    choices: [containerd, runc, cni_plugins, crictl, nerdctl]
  version:
    description:
      - Release version, with or without a leading V(v), for example V(2.1.4) or V(v1.7.24).
      - Required with O(state=present).
    type: str
  state:
    description:
      - V(present) installs O(version); V(absent) removes exactly the files the manifest lists, and the manifest.
    type: str
    choices: [present, absent]
    default: present
  arch:
    description:
      - Architecture of the release file, one of V(amd64), V(arm64), V(arm), V(ppc64le), V(s390x), V(riscv64);
        machine names (V(x86_64), V(aarch64)) are accepted.
      - When not set, the managed host's architecture.
    type: str
  prefix:
    description:
      - Root below which the upstream default directories are used; C(<prefix>/usr/local/bin) for containerd,
        crictl and nerdctl, C(<prefix>/usr/local/sbin) for runc and C(<prefix>/opt/cni/bin) for the CNI plugins.
    type: path
    default: /
  dest:
    description:
      - Directory for the component's binaries, instead of its default below O(prefix).
      - With O(bundle=cri) the containerd binaries go here; runc and the CNI plugins stay below O(prefix).
    type: path
  bundle:
    description:
      - V(cri) installs the C(cri-containerd-<version>-linux-<arch>.tar.gz) bundle instead of the plain
        containerd archive; its containerd binaries, runc and, when the bundle has them, the CNI plugins
        (containerd 1.6 packs them into the C(cri-containerd-cni) bundle only; the 1.7 bundle has them) and crictl.
        Its configuration files (systemd unit, C(crictl.yaml)) are not installed.
      - Only with O(name=containerd).
    type: str
    choices: [cri]
  url:
    description:
      - URL of the release file, instead of the upstream one. V(file://) URLs and absolute paths are accepted;
        they are read on the controller, or on the host with O(download_on=host).
      - Without O(checksum) the checksum is read from beside it, named as upstream names it.
    type: str
  mirror:
    description:
      - Replaces V(https://github.com) in the upstream URLs, and nothing else, so that a file server holding
        the same paths serves them, for example
        C(<mirror>/containerd/containerd/releases/download/v<version>/containerd-<version>-linux-<arch>.tar.gz).
    type: str
  checksum:
    description:
      - Checksum of the release file, V(sha256:<hex>) or V(sha512:<hex>).
      - When not set, the release's own checksum file is used (C(.sha256sum) for containerd, C(runc.sha256sum),
        C(.sha256) for the CNI plugins and crictl, C(SHA256SUMS) for nerdctl). That file comes from the same
        origin as the archive, so a warning says so; pin the checksum to protect against a tampered origin.
      - A file that does not match is not installed.
    type: str
  download_on:
    description:
      - V(controller) downloads once on the controller (with C(httpx)) into O(cache_dir) and copies the file
        to the hosts; V(host) downloads on each host with ansible's own URL helpers.
    type: str
    choices: [controller, host]
    default: controller
  cache_dir:
    description:
      - Download cache on the controller, used with O(download_on=controller).
      - If not set, the environment variable E(CONTAINERD_RUNTIME_CACHE) is used, else
        C(~/.cache/containerd.runtime).
    type: path
  archive:
    description:
      - Path on the managed host of a release file already there; nothing is downloaded.
      - The action plugin sets it after copying the downloaded file; set it yourself for pre-staged files.
        A checksum is still required (O(checksum), or the checksum file beside it).
    type: path
  timeout:
    description:
      - Seconds to wait for the download server to answer (connect and each read).
    type: int
    default: 60
  retries:
    description:
      - Further attempts after a failed download (connection refused, time-out, server error, interrupted
        transfer); a missing file (HTTP 404) is not retried.
    type: int
    default: 3
  validate_certs:
    description:
      - Verify the download server's TLS certificate.
    type: bool
    default: true
  url_username:
    description:
      - Username for HTTP basic authentication to the download server (O(url) or O(mirror)), sent to that
        origin only, never to a redirect's target.
      - Credentials written into O(url) or O(mirror) (C(https://user:password@host/...)) are taken out of
        the URL and used the same way; they never appear in the result, a warning, a message or the manifest.
        Prefer these options, which keep the password out of the task's arguments.
    type: str
    version_added: 0.5.0
  url_password:
    description:
      - Password for O(url_username).
    type: str
    version_added: 0.5.0
  url_headers:
    description:
      - HTTP headers sent with the download requests (the release file and its checksum file), for example a
        token header that an authenticated mirror wants (C(X-Api-Token), say).
      - Sent to the origin (scheme, host and port) of O(url) or O(mirror) only; a redirect to another origin
        gets none of them, as with O(url_username). They never appear in the result, a warning, a message or
        the manifest. A download redirected from https to plain http is refused.
      - Names are HTTP header names (no space, colon, CR or LF); values are strings without CR or LF. An
        C(Authorization) header cannot be combined with O(url_username) or credentials in the URL.
    type: dict
    version_added: 0.5.0
  allow_unverified:
    description:
      - Without O(checksum), a release file downloaded over plain V(http://) or with O(validate_certs=false)
        has no integrity check worth the name (its checksum file comes over the same channel), and it is
        then run as root. Such an install is refused unless this is V(true).
      - Loopback addresses, local paths and V(file://) URLs are not on the network and are always allowed.
    type: bool
    default: false
    version_added: 0.5.0
notes:
  - The manifest is C(.containerd.runtime-<component>.json) beside the installed binaries (C(cri) for the bundle).
    It lists each installed file with its sha256, the version, the arch and the source URL.
  - Binaries are installed with mode C(0755), owned by the user the module runs as; use C(become).
  - O(state=absent) and upgrades remove only files that the manifest lists directly inside the component's
    directories; any other path a (tampered) manifest names is left alone, with a warning.
  - The component's directories are locked while the module works in them. An install that was killed
    during its renames leaves an in-progress marker (C(.containerd.runtime-<component>.json.installing));
    the next run rolls it back (or finishes it when its manifest was written) before anything else, and
    removes the staging directories (C(.containerd-install-*)) of runs that died.
  - Not a member of the C(containerd.runtime.containerd) action group; its options are not connection options.
seealso:
  - name: containerd releases
    description: Upstream release archives and their layout.
    link: https://github.com/containerd/containerd/releases
"""

EXAMPLES = r"""
- name: containerd from the upstream release, downloaded once by the controller
  containerd.runtime.containerd_install:
    name: containerd
    version: 2.1.4

- name: runc and the CNI plugins from a mirror that holds the GitHub paths
  containerd.runtime.containerd_install:
    name: "{{ item.name }}"
    version: "{{ item.version }}"
    mirror: https://mirror.example.com/github
  loop:
    - {name: runc, version: 1.4.3}
    - {name: cni_plugins, version: 1.9.0}

- name: Air-gapped, from a file on the controller, with a pinned checksum
  containerd.runtime.containerd_install:
    name: containerd
    version: 1.7.24
    url: /srv/releases/containerd-1.7.24-linux-amd64.tar.gz
    checksum: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

- name: The cri-containerd bundle (containerd, runc; CNI plugins and crictl when it has them)
  containerd.runtime.containerd_install:
    name: containerd
    bundle: cri
    version: 1.7.24

- name: From a mirror that needs a login
  containerd.runtime.containerd_install:
    name: containerd
    version: 2.1.4
    mirror: https://mirror.example.com/github
    url_username: deploy
    url_password: "{{ vault_mirror_password }}"

- name: From a mirror that wants a token header
  containerd.runtime.containerd_install:
    name: runc
    version: 1.4.3
    mirror: https://artifacts.example.com/github
    url_headers:
      X-JFrog-Art-Api: "{{ vault_mirror_token }}"

- name: Each host downloads for itself
  containerd.runtime.containerd_install:
    name: nerdctl
    version: 2.0.3
    download_on: host

- name: Remove what was installed
  containerd.runtime.containerd_install:
    name: containerd
    state: absent
"""

RETURN = r"""
version:
  description: The version installed after the task (predicted in check mode); V(null) when absent.
  returned: always
  type: str
  sample: 2.1.4
previous_version:
  description: The version installed before the task (from the manifest, else the binary's C(--version)).
  returned: always
  type: str
  sample: 1.7.24
files:
  description: The files installed after the task, from the manifest; in check mode, the files installed now.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Absolute path of the file.
      type: str
      sample: /usr/local/bin/containerd
    sha256:
      description: sha256 of the file.
      type: str
removed:
  description: Files removed (left over from the previous version, or all with O(state=absent)).
  returned: always
  type: list
  elements: str
downloaded:
  description: Whether the release file was downloaded by this task (on the controller or on the host).
  returned: always
  type: bool
copied:
  description: Whether the release file was copied from the controller to the host by this task.
  returned: always
  type: bool
cache_path:
  description: Path of the release file in the controller's cache; V(null) when none was used.
  returned: always
  type: str
  sample: /root/.cache/containerd.runtime/github.com/containerd/containerd/releases/download/v2.1.4/containerd-2.1.4-linux-amd64.tar.gz
url:
  description: Where the release file comes from, without any credentials the URL carried.
  returned: with O(state=present)
  type: str
checksum:
  description: Checksum of the release file that was installed, V(sha256:<hex>).
  returned: when something was installed
  type: str
arch:
  description: Architecture of the release file.
  returned: with O(state=present)
  type: str
  sample: amd64
manifest:
  description: Path of the install manifest.
  returned: always
  type: str
actions:
  description: What was done, or would be done in check mode; first, when it happened, the rollback of an
    interrupted install and the removal of staging leftovers.
  returned: always
  type: list
  elements: str
  sample: ["upgraded containerd 1.7.24 -> 2.1.4"]
diff:
  description: The installed version (and files) before and after.
  returned: when diff mode is on
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.containerd.runtime.plugins.module_utils._install import converge, release
from ansible_collections.containerd.runtime.plugins.module_utils._install.argspec import (
    ARGUMENT_SPEC,
    MUTUALLY_EXCLUSIVE,
)
from ansible_collections.containerd.runtime.plugins.module_utils._install.staging import ModuleHost
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import CollectionError
from ansible_collections.containerd.runtime.plugins.module_utils._common.run import RunContext


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                           supports_check_mode=True)
    for value in (module.params["url"], module.params["mirror"]):
        password = release.split_userinfo(value)[2]
        if password:
            module.no_log_values.add(password)
    try:
        release.check_headers(module.params["url_headers"])
    except CollectionError as error:
        # no_log masks values, not keys: a header line given as a name ("X-Token: secret") would show in the
        # invocation, so a bad url_headers is shown there masked as a whole
        module.params["url_headers"] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        module.fail_json(msg=error.message)
    try:
        target = converge.resolve(module.params)
        result = converge.converge(module.params, target, ModuleHost(module),
                                   RunContext(module.check_mode, module._diff))
    except CollectionError as error:
        module.fail_json(msg=error.message, **error.details())
    except (IOError, OSError) as error:
        module.fail_json(msg="%s: %s" % (module.params["name"], error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
