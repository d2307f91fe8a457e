#pragma once
// SAMTok's mask encoder: one learned query token reads the image embedding
// plus the prompt encoder's embeddings of the mask (dense) and its box
// (two corner points) through a two-way transformer; its output is the latent.
#include "model/ModelConfig.h"
#include "model/nn/Layers.h"
#include "model/nn/TwoWayTransformer.h"

namespace samtok::model {

class MaskEncoderImpl : public torch::nn::Module {
public:
    explicit MaskEncoderImpl(const ModelConfig& c);
    // image (B, C, e, e) incl. no_mem_embed; sparse (B, N, C); dense (B, C, e, e) -> latent (B, 1, C)
    torch::Tensor forward(const torch::Tensor& image, const torch::Tensor& imagePe, const torch::Tensor& sparse,
                          const torch::Tensor& dense);

private:
    int numMaskTokens_;
    TwoWayTransformer transformer_{nullptr};
    EmbeddingWeight maskTokens_{nullptr};
};
TORCH_MODULE(MaskEncoder);

}  // namespace samtok::model
