#pragma once
// SAM2's mask decoder (sam/mask_decoder.py) with SAM 2.1's switches:
// object-score token, sigmoid IoU head, high-resolution skip features.
#include "model/Layers.h"
#include "model/ModelConfig.h"
#include "model/TwoWayTransformer.h"

namespace samtok::model {

struct DecoderOutput {
    torch::Tensor masks;         // (B, 4, 4e, 4e) logits of every mask token
    torch::Tensor iouPred;       // (B, 4), sigmoid
    torch::Tensor objectScore;   // (B, 1) logit
};

class MaskDecoderImpl : public torch::nn::Module {
public:
    explicit MaskDecoderImpl(const ModelConfig& c);
    // image (B, C, e, e) embedding incl. no_mem_embed; sparse (B, N, C); dense (B, C, e, e);
    // featS0 (B, C/8, 4e, 4e), featS1 (B, C/4, 2e, 2e).
    DecoderOutput forward(const torch::Tensor& image, const torch::Tensor& imagePe, const torch::Tensor& sparse,
                          const torch::Tensor& dense, const torch::Tensor& featS0, const torch::Tensor& featS1);
    torch::Tensor convS0(const torch::Tensor& x) { return convS0_->forward(x); }
    torch::Tensor convS1(const torch::Tensor& x) { return convS1_->forward(x); }

private:
    int numMaskTokens_;
    TwoWayTransformer transformer_{nullptr};
    EmbeddingWeight iouToken_{nullptr}, maskTokens_{nullptr}, objScoreToken_{nullptr};
    torch::nn::ConvTranspose2d up1_{nullptr}, up2_{nullptr};
    LayerNorm2d upNorm_{nullptr};
    torch::nn::Conv2d convS0_{nullptr}, convS1_{nullptr};
    std::vector<Mlp> hypernets_;
    Mlp iouHead_{nullptr}, objScoreHead_{nullptr};
};
TORCH_MODULE(MaskDecoder);

}  // namespace samtok::model
