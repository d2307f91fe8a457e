#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the core library, the
# model and their tests (no GUI), then the core tests, with the mutation tests
# run for many more rounds than CI gives them, and the model mutation test. Slow (a fresh build takes a while on 2 cores);
# run it after changing any reader of outside bytes.
#
#   scripts/sanitize.sh                 # build-asan/, SAMTOK_MUTATIONS=3000
#   SAMTOK_MUTATIONS=20000 scripts/sanitize.sh 'MutatedInput.*'
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-*}"
# GCC's "undefined" leaves out float-cast-overflow (a double beyond an int's range cast to int): named here.
flags="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSAMTOK_BUILD_GUI=OFF -DSAMTOK_BUILD_BENCH=OFF \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
ninja -C build-asan samtok_core_tests samtok_model_tests
# LibTorch and OpenCV are not instrumented: leaks inside them are not ours to judge.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export SAMTOK_MUTATIONS="${SAMTOK_MUTATIONS:-3000}"
quiet() { grep -v '^libpng \|^Corrupt JPEG\|^Premature end\|^Invalid SOS\|^Warning: unknown JFIF' >&2; }
build-asan/tests/samtok_core_tests --gtest_filter="$filter" 2> >(quiet)
# The model files: damaged copies of the default model loaded and run (fewer rounds: each builds a model).
SAMTOK_MUTATIONS=$(( SAMTOK_MUTATIONS / 10 + 1 )) build-asan/tests/samtok_model_tests --gtest_filter='MutatedModel.*' 2> >(quiet)
