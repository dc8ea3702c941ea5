#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Fetch the test binaries into a cache keyed by version, from Debian's archive.
#
#   containerd 1.6  <- bookworm  (the host's own suite)
#   containerd 1.7  <- trixie
#   containerd 2.x  <- sid
#   runc, busybox-static, docker-registry, CNI plugins <- bookworm
#
# The mirror is read from the machine's own apt sources; nothing else is contacted.
# Each version lands in $CACHE/containerd-<major.minor>/ (usr/bin/containerd, ctr, shims) and is
# fetched once: a directory with a .complete stamp is reused as it is.
set -euo pipefail

CACHE=${CONTAINERD_RUNTIME_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/containerd-runtime-tests}
APT=$CACHE/apt
mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/debs"

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

MIRROR=$(mirror)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$APT/sources.list" <<SRC
deb [signed-by=$KEYRING] $MIRROR bookworm main
deb [signed-by=$KEYRING] $MIRROR trixie main
deb [signed-by=$KEYRING] $MIRROR sid main
SRC

APT_OPTS=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "Dir::State::status=/dev/null"
          -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")

stamp_ok() { [ -f "$1/.complete" ]; }

need_update=0
for d in containerd-1.6 containerd-1.7 containerd-2 tools; do stamp_ok "$CACHE/$d" || need_update=1; done
if [ "$need_update" = 1 ]; then
  apt-get "${APT_OPTS[@]}" -qq update
fi

fetch() {  # fetch <target dir> <package/suite>...
  local dir=$1; shift
  stamp_ok "$dir" && return 0
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  (cd "$APT/debs" && apt-get "${APT_OPTS[@]}" -qq download "$@")
  local pkg name
  for pkg in "$@"; do
    name=${pkg%%/*}
    suite=${pkg##*/}
    # pick the .deb just downloaded for that package (apt names it name_version_arch.deb)
    deb=$(find "$APT/debs" -name "${name}_*.deb" -printf '%T@ %p\n' | sort -rn | head -n1 | cut -d' ' -f2-)
    dpkg-deb -x "$deb" "$dir.tmp"
    echo "$name $suite $(dpkg-deb -f "$deb" Version)" >> "$dir.tmp/.packages"
  done
  touch "$dir.tmp/.complete"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

fetch "$CACHE/containerd-1.6" containerd/bookworm
fetch "$CACHE/containerd-1.7" containerd/trixie
fetch "$CACHE/containerd-2" containerd/sid
fetch "$CACHE/tools" runc/bookworm busybox-static/bookworm docker-registry/bookworm containernetworking-plugins/bookworm

# python3-apt (what ansible's apt module needs) and its dependencies beyond a minimal bookworm: served
# with containerd and runc by the molecule `package` scenario's file: apt repository on its hosts
if ! ls "$APT/debs"/python3-apt_*.deb >/dev/null 2>&1; then
  ls "$APT/lists"/*bookworm*Packages* >/dev/null 2>&1 || apt-get "${APT_OPTS[@]}" -qq update
  (cd "$APT/debs" && apt-get "${APT_OPTS[@]}" -qq download python3-apt/bookworm python-apt-common/bookworm \
    distro-info-data/bookworm)
fi

for d in containerd-1.6 containerd-1.7 containerd-2; do
  printf '%s: ' "$d"; "$CACHE/$d/usr/bin/containerd" --version
done
echo "cache: $CACHE"
