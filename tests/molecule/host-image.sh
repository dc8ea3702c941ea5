#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the root file system of the molecule host: Debian bookworm with systemd as PID 1, debootstrapped
# from the mirror of the machine's apt sources.
#
#   host-image.sh <mirror> <output tar>
#
# setup.sh keys the cached image on this file's content, the mirror and the package list, so editing
# anything here rebuilds the image on the next run.
set -euo pipefail
MIRROR=$1
OUT=$2
SUITE=bookworm
# what a minimal Debian server has (ansible needs python3; become needs sudo; verify needs iproute2)
PACKAGES=${MOLECULE_HOST_PACKAGES:-systemd,systemd-sysv,dbus,python3,sudo,iproute2,ca-certificates,procps}

WORK=$(mktemp -d /var/tmp/containerd-runtime-host.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT" "${DEBOOTSTRAP_CACHE:?}"

debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$DEBOOTSTRAP_CACHE" \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

# apt inside the host uses the same mirror (and its security suite when the machine has one)
cat > "$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
EOF

# systemd in a container: no hardware, no consoles, no clock or kernel tuning; these units only fail there
for unit in \
    systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
    systemd-modules-load.service sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
    sys-fs-fuse-connections.mount systemd-remount-fs.service systemd-sysctl.service \
    systemd-firstboot.service systemd-timesyncd.service getty.target console-getty.service \
    getty@tty1.service serial-getty@.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
    e2scrub_reap.service fstrim.timer systemd-hwdb-update.service; do
  ln -sf /dev/null "$ROOT/etc/systemd/system/$unit"
done
# a transient machine id per container, no stale hostname
: > "$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id" "$ROOT/etc/hostname"
# smaller image: no package caches or lists (a role runs apt-get update when it needs packages)
rm -rf "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/var/log/*.log

tar --numeric-owner -C "$ROOT" -cf "$OUT.tmp" . && mv "$OUT.tmp" "$OUT"
