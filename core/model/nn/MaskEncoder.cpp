#include "model/nn/MaskEncoder.h"

namespace samtok::model {

MaskEncoderImpl::MaskEncoderImpl(const ModelConfig& c) : numMaskTokens_(c.numMaskTokens) {
    transformer_ = register_module("transformer", TwoWayTransformer(c.dModel, c.maskEncoder));
    maskTokens_ = register_module("mask_tokens", EmbeddingWeight(c.numMaskTokens, c.dModel));
}

torch::Tensor MaskEncoderImpl::forward(const torch::Tensor& image, const torch::Tensor& imagePe,
                                       const torch::Tensor& sparse, const torch::Tensor& dense) {
    const int64_t b = sparse.size(0);
    auto tokens = torch::cat({maskTokens_->weight.unsqueeze(0).expand({b, -1, -1}), sparse}, 1);
    auto [hs, keys] = transformer_->forward(image + dense, imagePe.expand({b, -1, -1, -1}), tokens);
    return hs.slice(1, 0, numMaskTokens_);
}

}  // namespace samtok::model
