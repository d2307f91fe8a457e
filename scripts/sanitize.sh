#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the core library and
# its tests (no GUI), then the core tests, with the mutation tests run for many
# more rounds than CI gives them. Slow (a fresh build takes a while on 2 cores);
# run it after changing any reader of outside bytes.
#
#   scripts/sanitize.sh                 # build-asan/, SAMTOK_MUTATIONS=3000
#   SAMTOK_MUTATIONS=20000 scripts/sanitize.sh 'MutatedInput.*'
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-*}"
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSAMTOK_BUILD_GUI=OFF -DSAMTOK_BUILD_BENCH=OFF \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
ninja -C build-asan samtok_core_tests
# LibTorch and OpenCV are not instrumented: leaks inside them are not ours to judge.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export SAMTOK_MUTATIONS="${SAMTOK_MUTATIONS:-3000}"
build-asan/tests/samtok_core_tests --gtest_filter="$filter" 2> >(grep -v '^libpng \|^Corrupt JPEG\|^Premature end\|^Invalid SOS\|^Warning: unknown JFIF' >&2)
