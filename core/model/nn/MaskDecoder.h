#pragma once
// SAM2's mask decoder (sam/mask_decoder.py) with SAM 2.1's switches:
// object-score token, sigmoid IoU head, high-resolution skip features.
#include "model/ModelConfig.h"
#include "model/nn/Layers.h"
#include "model/nn/TwoWayTransformer.h"

namespace samtok::model {

struct DecoderOutput {
    torch::Tensor masks;        // (B, 4, 4e, 4e) logits of every mask token
    torch::Tensor iouPred;      // (B, 4), sigmoid
    torch::Tensor objectScore;  // (B, 1) logit
};

// The decoder's view of one image under one dense prompt: what every decode or
// click on that image repeats unless it is kept. Made by prepare(); tensors with
// batch 1 serve any number of prompts.
struct DecoderImage {
    TwoWayImage image;
    // conv_s1 and conv_s0 features with their pixels in the order the upscaling
    // writes them: rows (i, j, di, dj) of size C/4, and (i, j, di, dj, di2, dj2) of
    // size C/8, for the output pixel (2i+di, 2j+dj) and (4i+2di+di2, 4j+2dj+dj2).
    torch::Tensor skipS1;  // (B or 1, 4 e^2, C/4)
    torch::Tensor skipS0;  // (B or 1, 16 e^2, C/8)
    int64_t size = 0;      // e, the embedding's side

    std::size_t bytes() const;  // of every tensor held
};

class MaskDecoderImpl : public torch::nn::Module {
public:
    explicit MaskDecoderImpl(const ModelConfig& c);
    // image (B, C, e, e) embedding incl. no_mem_embed; sparse (B, N, C); dense (B, C, e, e);
    // featS0 (B, C/8, 4e, 4e), featS1 (B, C/4, 2e, 2e).
    DecoderOutput forward(const torch::Tensor& image, const torch::Tensor& imagePe, const torch::Tensor& sparse,
                          const torch::Tensor& dense, const torch::Tensor& featS0, const torch::Tensor& featS1) {
        return forward(prepare(image, imagePe, dense, featS0, featS1, /*forReuse=*/false), sparse);
    }
    // The same in two steps: the image side once, then any number of sparse prompts (B, N, C).
    // forReuse also projects the image for the first two-way block (worth it from the second use on).
    DecoderImage prepare(const torch::Tensor& image, const torch::Tensor& imagePe, const torch::Tensor& dense,
                         const torch::Tensor& featS0, const torch::Tensor& featS1, bool forReuse);
    // A prepared image under another dense prompt (a mask prompt): the skip features are reused.
    DecoderImage withDense(const DecoderImage& prepared, const torch::Tensor& image, const torch::Tensor& imagePe,
                           const torch::Tensor& dense);
    DecoderOutput forward(const DecoderImage& image, const torch::Tensor& sparse);
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
