#!/usr/bin/env bash
# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's main job (`make demo`): set up a virtualenv, build and install the collection from its
# tarball (offline), then run playbooks/demo.yml on localhost: containerd installed, configured and started
# (or the host's own, when one already answers), runc, the CNI plugins, a bridge network, and a busybox
# httpd workload with a port published on 127.0.0.1 - and end with the page that port serves.
#
#   scripts/demo.sh           run the demo (re-runnable: a second run changes nothing)
#   scripts/demo.sh --clean   remove the workload and the network, stop the containerd the demo started
#                             (by PID, through the role) and remove the packages the demo installed
#
# Online (GitHub and Docker Hub reachable) the playbook's defaults apply: release installs and the busybox
# image from Docker Hub. Offline (detected with a short timeout, or DEMO_OFFLINE=1) containerd, runc and
# the CNI plugins come from Debian packages (DEMO_INSTALL=package, the default offline) or from the test
# binaries cached by tests/setup/fetch-containerd.sh (DEMO_INSTALL=cache), and the image from a local
# archive built from Debian's busybox-static. DEMO_PORT (8088) is the published port.
# What the demo started and installed is recorded in $DEMO_STATE_DIR (/var/lib/containerd-runtime-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ACTION=${1:-run}
case $ACTION in run|--clean) ;; *) echo "usage: $0 [--clean]" >&2; exit 2 ;; esac

bash scripts/bootstrap.sh requirements.txt
VENV=$REPO/.venv/bin
STATE_DIR=${DEMO_STATE_DIR:-/var/lib/containerd-runtime-demo}
STATE=$STATE_DIR/state.env
ADDRESS=/run/containerd/containerd.sock
PORT=${DEMO_PORT:-8088}
BRIDGE=cni-demo0
IMAGE_REF=localhost/containerd-runtime/busybox:demo
CACHE=${CONTAINERD_RUNTIME_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/containerd-runtime-tests}

rm -rf .build/dist .build/installed && mkdir -p .build/dist .build/installed
"$VENV/ansible-galaxy" collection build --force --output-path .build/dist >/dev/null
ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed "$VENV/ansible-galaxy" collection install --offline -p .build/installed .build/dist/containerd-runtime-*.tar.gz >/dev/null
echo "installed: $(ls .build/dist) -> .build/installed"

playbook() {
  ANSIBLE_COLLECTIONS_PATH=$REPO/.build/installed ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_DISPLAY_SKIPPED_HOSTS=0 \
    ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-1} \
    "$VENV/ansible-playbook" -i localhost, -c local -e "ansible_python_interpreter=$VENV/python" "$@" containerd.runtime.demo
}

answers() {  # answers <socket>: something accepts connections on that unix socket
  [ -S "$1" ] && "$VENV/python" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])' "$1" 2>/dev/null
}

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

# What a containerd started by the demo (the role's default paths) and the CNI plugins create. Those missing
# before the first run are recorded; --clean removes them again: containerd's data and state with rm -rf,
# directories other software may share only when they are empty. The runc root and the fifo/shim dirs
# under /run/containerd stay (other containerd daemons on the host may use them).
DATA_PATHS="/var/lib/containerd /var/log/containerd.log /run/containerd/containerd.sock.ttrpc \
  /run/containerd/io.containerd.grpc.v1.cri /run/containerd/io.containerd.runtime.v1.linux \
  /run/containerd/io.containerd.runtime.v2.task"
SHARED_DIRS="/etc/containerd/certs.d /etc/containerd /usr/local/libexec /etc/cni/net.d /etc/cni /opt/cni/bin /opt/cni"

# Extra vars of an install mode (the playbook's defaults are the online ones): $1 for containerd and runc,
# $2 for the CNI plugins
install_vars() {
  case $1 in
    release|none) INSTALL_VARS=() ;;
    package) INSTALL_VARS=(-e containerd_install_method=package -e runc_install_method=package) ;;
    cache)   INSTALL_VARS=(-e containerd_install_method=none -e "containerd_bin_dir=$CACHE/containerd-1.6/usr/bin"
                           -e "containerd_ctr_path=$CACHE/containerd-1.6/usr/bin/ctr"
                           -e runc_install_method=none -e "runc_bin_dir=$CACHE/tools/usr/sbin"
                           -e "containerd_path_env=$CACHE/containerd-1.6/usr/bin:$CACHE/tools/usr/sbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") ;;
  esac
  [ "$1" != none ] || INSTALL_VARS=(-e demo_install_containerd=false)
  case $2 in
    package) INSTALL_VARS+=(-e cni_install_method=package) ;;
    cache)   INSTALL_VARS+=(-e cni_install_method=none -e "cni_bin_dir=$CACHE/tools/usr/lib/cni") ;;
  esac
}

# --- clean ------------------------------------------------------------------------------------------
if [ "$ACTION" = --clean ]; then
  if [ ! -f "$STATE" ]; then echo "nothing to clean: $STATE does not exist"; exit 0; fi
  # shellcheck source=/dev/null
  . "$STATE"
  install_vars "$DEMO_INSTALL" "$DEMO_CNI_INSTALL"
  # packages that were there before the demo stay: their roles run with install method none
  REMOVE_VARS=()
  for pair in containerd:containerd runc:runc cni:containernetworking-plugins; do
    role=${pair%%:*}; pkg=${pair#*:}
    mode=$DEMO_INSTALL; [ "$role" != cni ] || mode=$DEMO_CNI_INSTALL
    [ "$mode" = package ] || continue
    case " $DEMO_INSTALLED_PACKAGES " in *" $pkg "*) ;; *) REMOVE_VARS+=(-e "${role}_install_method=none") ;; esac
  done
  playbook "${INSTALL_VARS[@]}" "${REMOVE_VARS[@]}" -e demo_state=absent -e "demo_port=$DEMO_PORT"
  for path in $DEMO_CREATED_PATHS; do
    case " $DATA_PATHS " in
      *" $path "*) if findmnt -rno TARGET | grep "^$path/" >/dev/null; then echo "kept $path: something is mounted below it"
                   else rm -rf --one-file-system "$path"; fi ;;
      *) [ ! -d "$path" ] || rmdir --ignore-fail-on-non-empty "$path" ;;
    esac
  done
  for pkg in $DEMO_INSTALLED_PACKAGES; do  # removed by the roles; their conffiles too
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "deinstall ok config-files" ] || dpkg --purge "$pkg" >/dev/null
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  # the bridge plugin switched IP forwarding on: back as it was, unless other bridges (which may need it) exist
  if [ -n "${DEMO_IP_FORWARD:-}" ] && [ -z "$(ip -o link show type bridge)" ]; then
    echo "$DEMO_IP_FORWARD" > /proc/sys/net/ipv4/ip_forward
  fi
  rm -rf "$STATE_DIR"
  echo "demo removed"
  exit 0
fi

# --- run --------------------------------------------------------------------------------------------
if [ ! -f "$STATE" ]; then  # first run; a second run keeps the mode, port and record of what was installed
  if [ -n "${DEMO_OFFLINE:-}" ]; then
    OFFLINE=$DEMO_OFFLINE
  elif curl -sS -m 5 -o /dev/null https://github.com 2>/dev/null && \
       curl -sS -m 5 -o /dev/null https://registry-1.docker.io/v2/ 2>/dev/null; then
    OFFLINE=0
  else
    OFFLINE=1
  fi
  if answers "$ADDRESS"; then
    echo "a containerd already answers at $ADDRESS: the demo uses it as it is"
    DEMO_INSTALL=none
  elif [ -n "${DEMO_INSTALL:-}" ]; then
    :
  elif [ "$OFFLINE" = 0 ]; then
    DEMO_INSTALL=release
  elif command -v apt-get >/dev/null && [[ $(apt-cache policy containerd 2>/dev/null) =~ Candidate:\ [0-9] ]]; then
    DEMO_INSTALL=package
  else
    DEMO_INSTALL=cache
  fi
  DEMO_CNI_INSTALL=$DEMO_INSTALL
  if [ "$DEMO_INSTALL" = none ]; then
    DEMO_CNI_INSTALL=release
    if [ "$OFFLINE" = 1 ]; then
      DEMO_CNI_INSTALL=cache
      ! command -v apt-get >/dev/null || DEMO_CNI_INSTALL=package
    fi
  fi
  DEMO_INSTALLED_PACKAGES=""  # the demo's packages that were not installed before it: --clean removes them
  [ "$DEMO_INSTALL" != package ] || for pkg in containerd runc; do
    installed "$pkg" || DEMO_INSTALLED_PACKAGES="$DEMO_INSTALLED_PACKAGES $pkg"
  done
  [ "$DEMO_CNI_INSTALL" != package ] || installed containernetworking-plugins || \
    DEMO_INSTALLED_PACKAGES="$DEMO_INSTALLED_PACKAGES containernetworking-plugins"
  [ "$DEMO_INSTALL" != cache ] && [ "$DEMO_CNI_INSTALL" != cache ] || [ -f "$CACHE/tools/.complete" ] || \
    bash tests/setup/fetch-containerd.sh >/dev/null
  DEMO_CREATED_PATHS=""
  for path in $([ "$DEMO_INSTALL" = none ] || echo "$DATA_PATHS") $SHARED_DIRS; do
    [ -e "$path" ] || DEMO_CREATED_PATHS="$DEMO_CREATED_PATHS $path"
  done
  mkdir -p "$STATE_DIR"
  cat > "$STATE" <<EOF
# written by scripts/demo.sh; scripts/demo.sh --clean reads it
DEMO_OFFLINE=$OFFLINE
DEMO_INSTALL=$DEMO_INSTALL
DEMO_CNI_INSTALL=$DEMO_CNI_INSTALL
DEMO_PORT=$PORT
DEMO_INSTALLED_PACKAGES="${DEMO_INSTALLED_PACKAGES# }"
DEMO_CREATED_PATHS="${DEMO_CREATED_PATHS# }"
DEMO_IP_FORWARD=$(cat /proc/sys/net/ipv4/ip_forward)
EOF
fi
# shellcheck source=/dev/null
. "$STATE"
install_vars "$DEMO_INSTALL" "$DEMO_CNI_INSTALL"
echo "mode: $([ "$DEMO_OFFLINE" = 1 ] && echo offline || echo online), install: $DEMO_INSTALL (CNI plugins: $DEMO_CNI_INSTALL), state: $STATE"

IMAGE_VARS=()
if [ "$DEMO_OFFLINE" = 1 ]; then
  mkdir -p .build/demo
  "$VENV/python" scripts/demo-image.py .build/demo/busybox-demo.tar "$IMAGE_REF" >/dev/null
  IMAGE_VARS=(-e "demo_image=$IMAGE_REF" -e "demo_image_archive=$REPO/.build/demo/busybox-demo.tar")
fi

playbook "${INSTALL_VARS[@]}" "${IMAGE_VARS[@]}" -e "demo_port=$DEMO_PORT"

URL=http://127.0.0.1:$DEMO_PORT/
echo
echo "\$ curl $URL"
curl -sS --noproxy '*' -m 10 "$URL"
echo
if [ "$DEMO_INSTALL" = none ]; then
  RUNNING="the host's containerd (untouched)"
elif [ -f /run/containerd.pid ]; then
  RUNNING="containerd (pid $(cat /run/containerd.pid), supervisor pid $(cat /run/containerd-supervise.pid 2>/dev/null))"
else
  RUNNING="the containerd service"
fi
echo "Left running: $RUNNING and the workload 'web' (namespace containerd-runtime-demo)."
echo "Remove what the demo set up: make demo-clean (scripts/demo.sh --clean)"
