#!/usr/bin/env bash
# Installs and uses SAMTok Studio on fresh Debian 12 systems, made from Debian's archive with mmdebstrap (as root):
#   source   a fresh root gets a clean clone of this repository and runs the README's test command in it
#            (scripts/test.sh: setup, build, every test); it fails if anything was missing. About an hour on 2 cores.
#   package  the .deb (built here by packaging/check-deb.sh) is installed with apt into a second fresh root,
#            dependencies resolved from the archive, and used there: samtok --help, encode and decode on a shared
#            photo, samtok-studio --screenshot under Xvfb.
#   setup    only the README's install step (scripts/setup.sh) in a fresh root, and the cluster test's Slurm there.
#   packaging/test-clean-system.sh [package|source|setup|all] [BUILD_DIR]     (default: package build)
# Logs and the screenshot go to $OUT (default: /tmp/samtok-clean-system).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
what=${1:-package}
build="$(cd "${2:-$repo/build}" && pwd)"
out=${OUT:-/tmp/samtok-clean-system}
mirror=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$out"
mounts=()
cleanup() {  # on any exit: nothing stays mounted inside a root that a later run removes
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -R "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
sys() {  # /sys with the host's cgroup tree (v1 or v2), as a container has it: slurmd will not start without
  mount -t sysfs sysfs "$1/sys" && mounts+=("$1/sys")
  mount --rbind /sys/fs/cgroup "$1/sys/fs/cgroup" && mounts+=("$1/sys/fs/cgroup")
}
fresh() {  # removes an old root without ever crossing into a mount
  cleanup
  mounts=()
  rm -rf --one-file-system "$1"
}
[ "$(id -u)" = 0 ] || { echo "run as root (mmdebstrap and chroot)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "apt-get install mmdebstrap" >&2; exit 1; }
shared="$(cd "$repo/../shared" && pwd)"
photo=$(ls "$shared"/data/grabcut/data_GT/*.jpg | head -1)

package() {
  local deb
  deb=$(ls -t "$build"/samtok-studio_*.deb | head -1)
  [ -n "$deb" ] || { echo "no .deb in $build: run packaging/check-deb.sh first" >&2; exit 1; }
  local root="$out/package-root"
  fresh "$root"
  cp "$photo" "$out/photo.jpg"
  # The mask: a centred rectangle a user might have drawn.
  python3 - "$out/photo.jpg" "$out/mask.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
i = 2
while True:  # JPEG size from its SOF marker
    marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
    if 0xC0 <= marker <= 0xC3:
        h, w = struct.unpack(">HH", data[i + 5:i + 9])
        break
    i += 2 + length
rows = bytearray()
for y in range(h):
    for x in range(w):
        rows.append(255 if w // 4 <= x < 3 * w // 4 and h // 4 <= y < 3 * h // 4 else 0)
import zlib
raw = b"".join(b"\x00" + bytes(rows[y * w:(y + 1) * w]) for y in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
open(sys.argv[2], "wb").write(png + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
  mmdebstrap --variant=apt --include=ca-certificates bookworm "$root" "$mirror" > "$out/package-mmdebstrap.log" 2>&1
  cp "$deb" "$out/photo.jpg" "$out/mask.png" "$root/tmp/"
  mount -t proc proc "$root/proc" && mounts+=("$root/proc")
  chroot "$root" bash -euxc "
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq /tmp/$(basename "$deb") xvfb xauth > /tmp/apt.log
    dpkg -s samtok-studio | grep -E '^(Status|Version|Depends):'
    ls -l /usr/bin/samtok /usr/bin/samtok-studio /usr/share/man/man1/samtok.1.gz
    samtok --help | head -5
    man -w samtok 2>/dev/null || true
    cd /tmp
    samtok encode --image photo.jpg --mask mask.png --json | tee tokens.json
    grep -o '<|mt_start|>[^\"]*<|mt_end|>' tokens.json | head -1 > answer.txt
    samtok decode --image photo.jpg --tokens answer.txt --out-dir decoded
    ls decoded
    xvfb-run -a -s '-screen 0 1280x800x24' samtok-studio --sample --screenshot /tmp/studio.png
    ls -l /tmp/studio.png
  " 2>&1 | tee "$out/package-run.log"
  cp "$root/tmp/studio.png" "$out/studio.png"
  echo "package: installed and used in a fresh Debian 12 root; log $out/package-run.log, screenshot $out/studio.png"
}

# A fresh root named $1 with a clean clone of this repository at /work/main, /proc and /sys mounted.
root_with_clone() {
  local root="$out/$1-root"
  fresh "$root"
  mmdebstrap --variant=apt --include=ca-certificates,git,sudo bookworm "$root" "$mirror" > "$out/$1-mmdebstrap.log" 2>&1
  git clone -q "$repo" "$root/work/main"
  mount -t proc proc "$root/proc" && mounts+=("$root/proc")
  sys "$root"
}

source_tree() {
  local root="$out/source-root"
  root_with_clone source
  mkdir -p "$root/work/shared"
  mount --bind "$shared" "$root/work/shared" && mounts+=("$root/work/shared")
  mount -o remount,bind,ro "$root/work/shared"  # the reference data stays read-only (set -e stops here if not)
  # The README's second command, exactly.
  chroot "$root" bash -euxc "cd /work/main && ./scripts/test.sh" > "$out/source-run.log" 2>&1
  echo "source: the README's test command passed in a fresh Debian 12 root; log $out/source-run.log"
}

# The setup alone (minutes, not an hour): every package the README's commands install goes into a fresh root without
# systemd, and the single-node Slurm of the cluster test starts and stops there.
setup_only() {
  local root="$out/setup-root"
  root_with_clone setup
  chroot "$root" bash -euxc "cd /work/main && ./scripts/setup.sh
    trap 'tests/cluster/local-slurm.sh stop /tmp/slurm' EXIT
    tests/cluster/local-slurm.sh start /tmp/slurm
    SLURM_CONF=/tmp/slurm/slurm.conf sinfo
    python3 -c 'import yaml'" > "$out/setup-run.log" 2>&1
  echo "setup: the package list installs in a fresh Debian 12 root and its Slurm starts; log $out/setup-run.log"
}

case "$what" in
  package) package ;;
  source) source_tree ;;
  setup) setup_only ;;
  all) source_tree; package ;;
  *) echo "usage: $0 [package|source|setup|all] [BUILD_DIR]" >&2; exit 2 ;;
esac
