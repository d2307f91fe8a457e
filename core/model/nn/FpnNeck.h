#pragma once
// SAM2's FPN neck (image_encoder.py): 1x1 lateral convs to d_model, nearest 2x
// top-down into the levels listed in fpn_top_down_levels, scalp drops the
// lowest-resolution output (which still feeds the level above it).
#include "model/ModelConfig.h"
#include "model/nn/Layers.h"

#include <vector>

namespace samtok::model {

class FpnNeckImpl : public torch::nn::Module {
public:
    FpnNeckImpl(int64_t dModel, const std::vector<int>& backboneChannels, std::vector<int> topDownLevels, int scalp);
    // Trunk outputs (high to low resolution) -> d_model maps, high to low, minus the scalped ones.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& xs);

private:
    std::vector<torch::nn::Conv2d> convs_;  // convs.{j}.conv, j = 0 for the lowest resolution
    std::vector<int> topDown_;
    int scalp_;
};
TORCH_MODULE(FpnNeck);

}  // namespace samtok::model
