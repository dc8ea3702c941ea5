#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Set up the molecule harness (idempotent; every step is skipped when its result is already there):
#   1. Debian's podman (netavark, aardvark-dns, crun, conmon, ...) and debootstrap, through apt;
#   2. the systemd host image $MOLECULE_HOST_IMAGE, debootstrapped from the mirror of the machine's apt
#      sources by host-image.sh, cached as a tarball under $MOLECULE_CACHE and imported into podman;
#      rebuilt only when its inputs (host-image.sh, mirror, package list) change;
#   3. the containers.podman collection (what the create/destroy playbooks and the podman connection
#      use), extracted from the `ansible` wheel on PyPI into .build/collections.
# podman runs with tests/molecule/containers.conf (CONTAINERS_CONF); /etc/containers is not touched.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$(dirname "$0")/env.sh"
cd "$REPO"
mkdir -p "$MOLECULE_CACHE"
# one set-up at a time: several checkouts may share the cache and podman's storage
exec 9>"$MOLECULE_CACHE/.lock"
flock 9

report() { printf '  %-24s %s (%ds)\n' "$1" "$2" $((SECONDS - ${3:-0})); }

# 1. packages ------------------------------------------------------------------------------------------
t=$SECONDS
PACKAGES=(podman runc conmon golang-github-containers-common netavark aardvark-dns fuse-overlayfs uidmap
          slirp4netns catatonit iptables debootstrap)
need=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-cache show "${need[@]}" >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  report packages "installed ${need[*]}" "$t"
else
  report packages "present" "$t"
fi

# 2. host image ----------------------------------------------------------------------------------------
mirror() {
  # First "URIs:" of a deb822 source, or the URL of a one-line source, that serves .../debian
  local uri
  uri=$(grep -rhoE '^URIs:\s*\S+/debian/?$' /etc/apt/sources.list.d/ 2>/dev/null | head -n1 | awk '{print $2}')
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(grep -hoE '^deb\s+(\[[^]]*\]\s+)?\S+/debian/?\s' /etc/apt/sources.list | head -n1 | awk '{print $NF}')
  fi
  [ -n "$uri" ] || { echo "no Debian mirror found in the apt sources" >&2; exit 1; }
  echo "${uri%/}"
}

t=$SECONDS
MIRROR=$(mirror)
RECIPE=$( { cat "$MOLECULE_HARNESS_DIR/host-image.sh"; echo "$MIRROR ${MOLECULE_HOST_PACKAGES:-} $(uname -m)"; } |
          sha256sum | cut -c1-16)
LABEL=containerd-runtime.recipe
TARBALL=$MOLECULE_CACHE/host-bookworm-$RECIPE.tar
current=$(podman image inspect --format "{{ index .Labels \"$LABEL\" }}" "$MOLECULE_HOST_IMAGE" 2>/dev/null || true)
if [ "$current" = "$RECIPE" ]; then
  report "host image" "$MOLECULE_HOST_IMAGE is current ($RECIPE)" "$t"
else
  if [ ! -f "$TARBALL" ]; then
    DEBOOTSTRAP_CACHE=$MOLECULE_CACHE/debootstrap-debs bash "$MOLECULE_HARNESS_DIR/host-image.sh" "$MIRROR" "$TARBALL"
    # older recipes' tarballs are of no further use
    find "$MOLECULE_CACHE" -maxdepth 1 -name 'host-bookworm-*.tar' ! -name "${TARBALL##*/}" -delete
    report "host rootfs" "debootstrapped from $MIRROR" "$t"
  fi
  old_id=$(podman image inspect --format '{{.Id}}' "$MOLECULE_HOST_IMAGE" 2>/dev/null || true)
  podman import --quiet \
    --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' --change "LABEL $LABEL=$RECIPE" \
    "$TARBALL" "$MOLECULE_HOST_IMAGE" >/dev/null
  # the image it replaced, unless a container still uses it
  [ -z "$old_id" ] || podman rmi "$old_id" >/dev/null 2>&1 || true
  report "host image" "imported $MOLECULE_HOST_IMAGE ($RECIPE)" "$t"
fi

# 3. containers.podman from the ansible wheel ----------------------------------------------------------
t=$SECONDS
WHEEL_COLLECTIONS=(containers/podman)
PY=$REPO/.venv/bin/python
[ -x "$PY" ] || PY=python3
stamp=$COLLECTIONS_DIR/.molecule-from-ansible-$ANSIBLE_WHEEL_VERSION
missing=0
for c in "${WHEEL_COLLECTIONS[@]}"; do [ -d "$COLLECTIONS_DIR/ansible_collections/$c" ] || missing=1; done
if [ -f "$stamp" ] && [ "$missing" = 0 ]; then
  report collections "${WHEEL_COLLECTIONS[*]} present (ansible $ANSIBLE_WHEEL_VERSION)" "$t"
else
  WHEELS=$MOLECULE_CACHE/wheels
  wheel=$WHEELS/ansible-$ANSIBLE_WHEEL_VERSION-py3-none-any.whl
  if [ ! -f "$wheel" ]; then
    "$PY" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      -d "$WHEELS" "ansible==$ANSIBLE_WHEEL_VERSION"
  fi
  "$PY" - "$wheel" "$COLLECTIONS_DIR" "${WHEEL_COLLECTIONS[@]}" <<'PY'
import shutil, sys, tempfile, zipfile
from pathlib import Path

wheel, dest, names = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
with zipfile.ZipFile(wheel) as archive:
    for name in names:
        prefix = f"ansible_collections/{name}/"
        members = [m for m in archive.namelist() if m.startswith(prefix)]
        if not members:
            sys.exit(f"{name} is not in {wheel}")
        target = dest / "ansible_collections" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            archive.extractall(tmp, members)
            shutil.rmtree(target, ignore_errors=True)
            Path(tmp, prefix).rename(target)
PY
  rm -f "$COLLECTIONS_DIR"/.molecule-from-ansible-*
  touch "$stamp"
  report collections "extracted ${WHEEL_COLLECTIONS[*]} from ansible $ANSIBLE_WHEEL_VERSION" "$t"
fi

echo "molecule harness: podman $(podman version --format '{{.Client.Version}}'), image $MOLECULE_HOST_IMAGE," \
  "collections in $COLLECTIONS_DIR"
