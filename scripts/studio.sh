#!/usr/bin/env bash
# Installs what is missing, builds, and starts SAMTok Studio on the sample project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != offscreen ]; then
  echo "No display found: starting SAMTok Studio under a virtual X server (xvfb-run)." >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" build/app/samtok-studio --sample "$@"
fi
exec build/app/samtok-studio --sample "$@"
