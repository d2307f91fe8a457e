#pragma once
// What the inference runtime runs on. No LibTorch types here: UI code includes this.
#include <string>

namespace samtok::runtime {

struct Info {
    std::string libtorchVersion;  // e.g. "1.13.1"
    bool cudaAvailable = false;
    std::string device;           // "cpu" or "cuda:0 (NVIDIA H100 ...)"
    int threads = 0;              // intra-op threads in use
};

// Sets the intra-op thread count; threads <= 0 picks the number of physical
// cores (LibTorch 1.13 on Debian otherwise runs on one thread).
void configureThreads(int threads = 0);
Info info();

}  // namespace samtok::runtime
