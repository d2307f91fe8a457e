#pragma once
// What the inference runtime runs on. No LibTorch types here: UI code includes this.
#include <string>

namespace samtok::runtime {

struct Info {
    std::string libtorchVersion;  // e.g. "1.13.1"
    bool cudaAvailable = false;
    std::string device;  // "cpu" or "cuda:0 (NVIDIA H100 ...)"
    int threads = 0;     // intra-op threads in use
};

// Sets the intra-op thread count (threads <= 0: every core; LibTorch 1.13 on
// Debian otherwise runs on one thread) and keeps large freed blocks in the
// heap for reuse: without that, every activation of tens of MB is a fresh
// mmap whose page faults cost more than the arithmetic (measured: softmax over
// 8x4096x4096 scores 1.15 s -> 0.055 s, windowed attention 9 -> 87 GFLOP/s).
void configure(int threads = 0);
Info info();
// Waits until the device ("cuda", "cuda:1"; a CPU needs no wait) has run
// everything queued on it: GPU work is asynchronous, so a timing that does not
// wait measures launches.
void synchronize(const std::string& device);

}  // namespace samtok::runtime
