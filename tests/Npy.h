#pragma once
// Reads the golden .npy files (little-endian float32 / int64, C order) into tensors.
#include <torch/torch.h>

#include <string>

namespace samtok::test {
torch::Tensor readNpy(const std::string& path);
}
