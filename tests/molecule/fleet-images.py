# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Images and registry of the `fleet` molecule scenario, built locally (nothing is downloaded).

Builds (once, cached) two versions of the public-shaped busybox test image of harness/corpus.py (labels, env,
entrypoint script + cmd, working dir, stop signal, ports, volumes, healthcheck) as OCI archives --
"fleet-v1" and "fleet-v2", whose /var/www/index.html says "hello from fleet-v<N>" -- and prints JSON for
the scenario: per version the archive's path and manifest digest, and the path of Debian's cached
docker-registry binary (tests/setup/fetch-containerd.sh) that the scenario's registry host runs.
tests/molecule/oci-push.py pushes the archives to that registry.

    .venv/bin/python tests/molecule/fleet-images.py
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from harness import binaries, corpus  # noqa: E402

VERSIONS = ("1", "2")


def main():
    out = {"registry_binary": str(binaries.tool("docker-registry")), "images": {}}
    for version in VERSIONS:
        marker = "fleet-v" + version
        path = binaries.CACHE / "images" / ("busybox-%s.tar" % marker)
        digest = corpus.build_archive(path, marker=marker, ref="registry.fleet.invalid:5000/web:" + version)
        out["images"][version] = {"path": str(path), "digest": digest, "marker": marker}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
