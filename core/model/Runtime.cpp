#include "model/Runtime.h"

#include <torch/torch.h>

#include <malloc.h>
#include <thread>

namespace samtok::runtime {

void configure(int threads) {
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

Info info() {
    Info out;
    out.libtorchVersion = TORCH_VERSION;
    out.cudaAvailable = torch::cuda::is_available();
    out.device = out.cudaAvailable ? "cuda:0" : "cpu";
    out.threads = torch::get_num_threads();
    return out;
}

void synchronize(const std::string& device) {
    const torch::Device d(device);
    if (d.is_cuda()) torch::cuda::synchronize(d.has_index() ? d.index() : -1);
}

}  // namespace samtok::runtime
