#!/usr/bin/env bash
# The CUDA check, prepared to run in one go on a GPU machine that has PyTorch
# (whose libtorch it builds against), CMake, ninja and a compiler, but neither
# the Debian libraries nor a network: scripts/device/make-bundle.sh packs those
# into .device/ first. Then, within DEADLINE seconds:
#   1. builds the CLI and the model tests against that CUDA libtorch;
#   2. runs the model tests (golden parity, tokenizer, trainer) on the GPU,
#      then on that libtorch's CPU side;
#   3. trains on the GPU: 200 steps from scratch with the default recipe (4
#      images x 6 masks, lr 1e-3, seed 1), which also measure the step rate,
#      then continues the shipped model (--init, fresh data seed 4, peak lr
#      3e-4) for as many steps as fit in the time left, its schedule sized to
#      them: the model that comes back can be evaluated against the shipped one;
#   (benchmarks of inference on the GPU, micro and random sam2.1_hiera_large,
#   run before the training, which takes whatever time is left.)
# Everything lands in $OUT: log.txt (this output), build.log, tests-cuda.log,
# tests-cpu.log, train.log, metrics.csv, cuda-model.safetensors, bench.json:
# eight files, the most a device call brings back.
# .device/ is git-ignored: the device call must carry it, e.g.
#   run(command="OUT=$OUT bash scripts/device/cuda-check.sh", carry=[".device"], timeout_s=570)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/samtok-cuda-check}
DEADLINE=${DEADLINE:-500}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
T0=$(date +%s)
stage() { echo "== [$(($(date +%s) - T0)) s] $*"; }

stage machine
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "cores $(nproc)"; . /etc/os-release && echo "$PRETTY_NAME"; g++ --version | head -1; cmake --version | head -1
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
# The bundle's Debian libraries (OpenCV, GoogleTest) use the C++11 std::string ABI; a libtorch built with the old
# one (pip wheels before 2.7) would make every call across them fail to link, so stop before spending the build.
python3 -c 'import torch, sys; sys.exit(0 if torch.compiled_with_cxx11_abi() else 1)' ||
  { echo "this PyTorch's libtorch uses the pre-C++11 std::string ABI, the bundle's libraries the C++11 one: cannot link"; exit 1; }

stage unpack
BUNDLE=/tmp/samtok-bundle
rm -rf "$BUNDLE" && mkdir -p "$BUNDLE/shared" && tar -C "$BUNDLE" -xJf .device/sys.tar.xz &&
  tar -C "$BUNDLE/shared" -xJf .device/shared.tar.xz || exit 1
SYS=$BUNDLE/sys/usr
LIB=$SYS/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
TORCH_PREFIX=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)

stage configure
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DSAMTOK_BUILD_GUI=OFF -DSAMTOK_BUILD_BENCH=OFF \
  -DCMAKE_PREFIX_PATH="$SYS;$TORCH_PREFIX" -DOPENSSL_ROOT_DIR="$SYS" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$LIB" -DCUDAToolkit_ROOT="$(dirname "$(dirname "$NVCC")")" \
  -DCMAKE_CUDA_COMPILER="$NVCC" -DTORCH_CUDA_ARCH_LIST=9.0 -DSAMTOK_SHARED_DIR="$BUNDLE/shared" \
  >"$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
grep -E "Torch|CUDA|OpenCV" "$OUT/build.log" | head -8

stage build
ninja -C build-cuda -k 0 samtok samtok_model_tests >>"$OUT/build.log" 2>&1 ||
  { grep -E -A8 "error:|undefined reference|FAILED" "$OUT/build.log" | head -150; exit 1; }
build-cuda/app/samtok runtime

stage "model tests: on the GPU, then on the CPU"
# Not carried: the Berkeley photos.
FILTER='-TokenizerApi.SearchedCodesReconstructTheMaskAtLeastAsWell'
summary() { grep -E "^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]|tests ran" "$1" | sort -u | head -30; }
SAMTOK_PARITY_REPORT=1 SAMTOK_TEST_DEVICE=cuda timeout 120 build-cuda/tests/samtok_model_tests --gtest_filter="$FILTER" \
  >"$OUT/tests-cuda.log" 2>&1
echo "GPU tests rc $?"; summary "$OUT/tests-cuda.log"
grep -E "Failure|Expected|Which is|max abs diff|differ" "$OUT/tests-cuda.log" | head -40
SAMTOK_TEST_DEVICE=cpu timeout 90 build-cuda/tests/samtok_model_tests --gtest_filter="$FILTER" >"$OUT/tests-cpu.log" 2>&1
echo "CPU tests rc $?"; summary "$OUT/tests-cpu.log"
grep -E "Failure|Expected|Which is" "$OUT/tests-cpu.log" | head -20

stage bench
{
  build-cuda/app/samtok bench --device cuda --masks 20 --repeat 10
  build-cuda/app/samtok bench --device cuda --random --config sam2.1_hiera_large --repeat 5
  build-cuda/app/samtok bench --device cuda --random --config sam2.1_hiera_large --precision bf16 --repeat 5
} >"$OUT/bench.json" 2>&1
grep -E "embed_ms|decode_1_ms|click_to_mask_ms|encode_1_mask_ms|search_8|precision|model\"" "$OUT/bench.json"

stage "training: pilot"
COCO=$BUNDLE/shared/data/coco128-seg/coco128-seg
S=build-cuda/app/samtok
common=(--config models/samtok-micro.json --coco "$COCO" --images-per-step 4 --masks-per-image 6
        --attention-init aligned --min-instance-area 0.01 --log-every 50 --checkpoint-every 1000 --device cuda)
rm -rf /tmp/pilot /tmp/run
$S train /tmp/pilot --steps 200 --lr 1e-3 --seed 1 "${common[@]}" >"$OUT/train.log" 2>&1 || tail -20 "$OUT/train.log"
tail -2 /tmp/pilot/metrics.csv
rate=$(tail -1 /tmp/pilot/metrics.csv 2>/dev/null | cut -d, -f12)
budget=$((T0 + DEADLINE - $(date +%s) - 40))
if ! [[ $rate =~ ^[0-9]*\.?[0-9]+(e-?[0-9]+)?$ ]] || [ "$budget" -lt 60 ]; then
  echo "no GPU run: step rate '${rate}', ${budget} s left"
else
  # 90 % of the steps the pilot's rate allows, less 15 s to start: the run should end on its own schedule.
  steps=$(python3 -c "print(max(50, min(40000, int(0.9 * ($budget - 15) / float('$rate')) // 50 * 50)))")
  stage "training: $steps steps from the shipped model (${rate} s/step in the pilot, ${budget} s left for it)"
  resume=(--init models/samtok-micro.safetensors --seed 4 --lr 3e-4)
  # samtok itself gets the timeout's SIGTERM: it stops at a step boundary and saves a checkpoint.
  timeout "$budget" $S train /tmp/run --steps "$steps" "${resume[@]}" "${common[@]}" >>"$OUT/train.log" 2>&1
  echo "train rc $?"
  if [ ! -f /tmp/run/model.safetensors ]; then  # stopped early: export what its checkpoint holds
    at=$(grep -o "stopped at step [0-9]*" "$OUT/train.log" | tail -1 | grep -o "[0-9]*$")
    [ -n "$at" ] && $S train /tmp/run --steps "$at" "${resume[@]}" "${common[@]}" >>"$OUT/train.log" 2>&1
  fi
  grep -E "^step [0-9]+/" "$OUT/train.log" | awk 'NR % 10 == 0' | tail -12; tail -3 "$OUT/train.log"
  cp /tmp/run/metrics.csv "$OUT/metrics.csv"
  cp /tmp/run/model.safetensors "$OUT/cuda-model.safetensors" || echo "no model was exported"
fi
stage done
