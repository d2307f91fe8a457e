#include "model/nn/FpnNeck.h"

#include <algorithm>

namespace samtok::model {
namespace F = torch::nn::functional;

FpnNeckImpl::FpnNeckImpl(int64_t dModel, const std::vector<int>& channels, std::vector<int> topDownLevels, int scalp)
    : topDown_(std::move(topDownLevels)), scalp_(scalp) {
    auto list = register_module("convs", torch::nn::ModuleList());
    for (int ch : channels) {
        auto holder = std::make_shared<torch::nn::Module>();
        auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, dModel, 1));
        holder->register_module("conv", conv);
        list->push_back(holder);
        convs_.push_back(conv);
    }
}

std::vector<torch::Tensor> FpnNeckImpl::forward(const std::vector<torch::Tensor>& xs) {
    const int n = static_cast<int>(convs_.size()) - 1;
    std::vector<torch::Tensor> out(convs_.size());
    torch::Tensor prev;
    for (int i = n; i >= 0; --i) {
        auto lateral = convs_[static_cast<std::size_t>(n - i)]->forward(xs[static_cast<std::size_t>(i)]);
        const bool topDown = std::count(topDown_.begin(), topDown_.end(), i) > 0;
        if (topDown && prev.defined()) {
            auto up = F::interpolate(
                prev.to(torch::kFloat32),
                F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
            // The reference upsamples in float32 (its autocast runs the rest in bf16): keep the model's type.
            prev = lateral + up.to(lateral.scalar_type());
        } else {
            prev = lateral;
        }
        out[static_cast<std::size_t>(i)] = prev;
    }
    out.resize(out.size() - static_cast<std::size_t>(scalp_));
    return out;
}

}  // namespace samtok::model
