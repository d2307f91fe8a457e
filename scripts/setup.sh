#!/usr/bin/env bash
# Installs every Debian 12 package SAMTok Studio needs to build, run and test.
# Idempotent and quiet: prints nothing unless something is missing or fails.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # model runtime: LibTorch 1.13 (CPU) and a fast BLAS (the reference BLAS is ~15x slower)
  libtorch-dev libopenblas0-openmp
  # GUI
  qt6-base-dev qt6-base-dev-tools libgl-dev libvulkan-dev libqcustomplot-dev
  libqt6svg6  # the SVG icon engine that draws the studio's icons
  # images, storage, formats, CLI
  libopencv-dev libpng-dev libsqlite3-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libssl-dev  # SHA-256 of checkpoints and images (find_package(OpenSSL))
  libcurl4-openssl-dev  # samtok model get: downloads the official checkpoints (find_package(CURL))
  help2man lintian  # the .deb: man pages from --help, and its check
  slurm-wlm munge python3-yaml  # the cluster tests: a single-node Slurm, the Kubernetes manifest read
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # headless GUI runs (CI screenshots, first-run under a virtual display)
  xvfb xauth
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

log=$(mktemp)
# Without systemd (a container, a chroot, CI) no package may start its service: Slurm and munge are installed for
# tests that start their own, and a daemon started by a package install would outlive this script.
policy=""
if [ ! -d /run/systemd/system ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
fi
trap 'rm -f "$log"; [ -z "$policy" ] || $SUDO rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  echo "setup: installing packages failed: ${missing[*]}" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
