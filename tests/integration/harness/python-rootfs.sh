#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Root file system of the "Debian with Python" test image (containers as Ansible hosts): bookworm minbase
# with python3 and sudo, a user `tester` (uid 1000) for become tests, debootstrapped from a Debian mirror.
#
#   python-rootfs.sh <mirror> <output tar> <debootstrap cache dir>
#
# harness/python_image.py keys the cached image on this file's content and the mirror, so editing anything
# here rebuilds the image on the next run.
set -euo pipefail
MIRROR=$1
OUT=$2
CACHE_DIR=$3
SUITE=bookworm
PACKAGES=python3,sudo

WORK=$(mktemp -d /var/tmp/containerd-runtime-python.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT" "$CACHE_DIR"

debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$CACHE_DIR" \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

chroot "$ROOT" useradd --create-home --uid 1000 --shell /bin/sh tester
# smaller image: no package caches, lists, docs, man pages or locales
rm -rf "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/locale/* "$ROOT"/var/log/*.log \
  "$ROOT"/var/cache/debconf/*-old
rm -f "$ROOT/etc/hostname"
: > "$ROOT/etc/machine-id"

tar --numeric-owner --sort=name --mtime=@0 -C "$ROOT" -cf "$OUT.tmp" . && mv "$OUT.tmp" "$OUT"
