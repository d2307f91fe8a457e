#!/usr/bin/env bash
# Coverage-guided fuzzing campaigns (libFuzzer with ASan and UBSan) of the readers of outside bytes.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]      (default: 60 s, every target in tests/fuzz/corpus)
# Builds build-fuzz with clang (-DSAMTOK_FUZZ=ON), runs each target from its corpus with its dictionary, then merges
# the inputs that added coverage, minimised and small (<= 4 KB), into tests/fuzz/corpus/TARGET, which CI replays
# (the Fuzz.* tests). A crash leaves its input in build-fuzz/crashes/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(ls tests/fuzz/corpus)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSAMTOK_FUZZ=ON \
  -DSAMTOK_BUILD_GUI=OFF -DSAMTOK_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo > build-fuzz.configure.log
ninja -C build-fuzz "${targets[@]/#/fuzz_}"
mkdir -p build-fuzz/crashes
# Keeps what adds coverage, minimised (libFuzzer's merge), small (<= 4 KB) and few (the $CAP smallest, 150 by
# default), under content-hash names, beside the hand-made seeds.
keep() {
  local t=$1 merged=build-fuzz/merged/$1
  rm -rf "$merged" && mkdir -p "$merged"
  build-fuzz/tests/fuzz/fuzz_$t -merge=1 "$merged" "tests/fuzz/corpus/$t" "build-fuzz/campaign/$t" > /dev/null 2>&1 || true
  find "$merged" -type f -size -"${KEEP_BYTES:-$([ "$t" = ProjectFile ] && echo 32769 || echo 4097)}"c -printf '%s %p\n' | sort -n | awk -v cap="${CAP:-150}" 'NR <= cap' | while read -r _ f; do
    dst="tests/fuzz/corpus/$t/$(sha1sum "$f" | cut -c1-16)"
    [ -e "$dst" ] || cp "$f" "$dst"  # not cp -n: coreutils 9.2-9.4 fail when it skips
  done
}
failed=0
for t in "${targets[@]}"; do
  work=build-fuzz/campaign/$t merged=build-fuzz/merged/$t
  mkdir -p "$work" "$merged"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  maxlen=8192
  [ "$t" = ProjectFile ] && maxlen=32768  # a project file is SQLite pages: 23 KB at the least
  echo "== $t: $secs s"
  if ! build-fuzz/tests/fuzz/fuzz_$t "$work" "tests/fuzz/corpus/$t" "${dict[@]}" -max_total_time="$secs" \
       -max_len="$maxlen" -timeout=30 -rss_limit_mb=2048 -artifact_prefix="build-fuzz/crashes/$t-" -print_final_stats=1 \
       > "build-fuzz/campaign/$t.log" 2>&1; then
    echo "$t: found a crash (build-fuzz/crashes/, log build-fuzz/campaign/$t.log)"
    failed=1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' "build-fuzz/campaign/$t.log" | tail -3
  keep "$t"
  # The scratch folders of fuzzer processes that have ended (campaign, merge); those of running ones stay.
  for d in /dev/shm/samtok-fuzz-* /tmp/samtok-fuzz-*; do
    [ -e "$d" ] || continue
    pid=${d##*samtok-fuzz-}; pid=${pid%%.*}
    kill -0 "$pid" 2>/dev/null || rm -rf "$d"
  done
done
exit $failed
