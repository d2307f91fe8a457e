#pragma once
// SAM's two-way transformer (sam/transformer.py), used by both the SAM2 mask
// decoder and SAMTok's mask encoder: tokens attend to the image, the image
// attends back to the tokens.
#include "model/ModelConfig.h"
#include "model/nn/Layers.h"

namespace samtok::model {

class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(int64_t dim, int64_t numHeads, int64_t downsampleRate);
    torch::Tensor forward(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

    // The projections alone, (B, N, C) -> (B, heads, N, internal/heads), so that a
    // caller can project the image tokens once and attend many times.
    torch::Tensor projectQ(const torch::Tensor& x) { return splitHeads(q_->forward(x)); }
    torch::Tensor projectK(const torch::Tensor& x) { return splitHeads(k_->forward(x)); }
    torch::Tensor projectV(const torch::Tensor& x) { return splitHeads(v_->forward(x)); }
    // Projected q, k, v -> (B, Nq, C), out_proj applied.
    torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

    // Cross attention between T prompt tokens (about ten) and hw image tokens
    // (4,096 at 1024 px), the same maths as forward() up to float rounding, with
    // the products ordered so that no projection runs over the image tokens:
    // scores q.(Wk x + bk) are taken as (Wk^T q).x + q.bk, values are summed
    // before Wv, and out_proj is applied to the T token values before the
    // attention weights. Costs heads*T*C per image token instead of C*internal.
    //
    // Tokens (B, T, C) attend to the image: keys x = image + pe, values y = image,
    // both (B or 1, hw, C). Returns (B, T, C).
    torch::Tensor tokensToImage(const torch::Tensor& tokens, const torch::Tensor& x, const torch::Tensor& y);
    // The image attends to the tokens: keys from kTokens, values from vTokens (B, T, C);
    // queries either qImageT, the image's own projection prepared as
    // (B or 1, heads, internal/heads, hw), or when undefined, x = image + pe. Returns (B, hw, C).
    torch::Tensor imageToTokens(const torch::Tensor& qImageT, const torch::Tensor& x, const torch::Tensor& kTokens,
                                const torch::Tensor& vTokens);

private:
    torch::Tensor splitHeads(const torch::Tensor& x) const;
    // Scores of tokens already projected and scaled, (B, H, T, d), against the image
    // x (B or 1, hw, C) seen through `imageSide` (k_proj or q_proj): (W^T t).x + t.b,
    // without projecting x. -> (B, H, T, hw)
    torch::Tensor scoresOverImage(const torch::Tensor& tokens, const torch::nn::Linear& imageSide,
                                  const torch::Tensor& x) const;
    int64_t numHeads_;
    torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, out_{nullptr};
};
TORCH_MODULE(Attention);

// What the first block reads of the image tokens, projected once per image:
// the token-to-image keys and values (B or 1, heads, hw, internal/heads) and the
// image-to-token queries, transposed (B or 1, heads, internal/heads, hw).
struct ImageProjections {
    torch::Tensor k, v, qT;
};

class TwoWayAttentionBlockImpl : public torch::nn::Module {
public:
    TwoWayAttentionBlockImpl(int64_t dim, int64_t numHeads, int64_t mlpDim, int64_t downsampleRate,
                             bool skipFirstLayerPe);
    // queries (B, T, C), keys (B or 1, HW, C) -> updated both. `projected`, when
    // given, holds projectImage() of these keys and replaces reading them.
    std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor queries, const torch::Tensor& keys,
                                                    const torch::Tensor& queryPe, const torch::Tensor& keyPe,
                                                    const ImageProjections* projected = nullptr);
    ImageProjections projectImage(const torch::Tensor& keys, const torch::Tensor& keyPe);

private:
    bool skipFirstLayerPe_;
    Attention selfAttn_{nullptr}, tokenToImage_{nullptr}, imageToToken_{nullptr};
    torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr}, norm3_{nullptr}, norm4_{nullptr};
    Mlp mlp_{nullptr};
};
TORCH_MODULE(TwoWayAttentionBlock);

// The image as the transformer reads it. Nothing here depends on the prompt
// tokens, so the decoder makes it once per image (and dense prompt) and reuses
// it for every decode and click.
struct TwoWayImage {
    torch::Tensor keys;      // (B or 1, hw, C) image + dense prompt, row-major pixels
    torch::Tensor keyPe;     // (1, hw, C)
    ImageProjections first;  // only when prepared for reuse: projecting costs more than one pass saves
};

class TwoWayTransformerImpl : public torch::nn::Module {
public:
    TwoWayTransformerImpl(int64_t dim, const TwoWayConfig& c);
    // image (B or 1, C, h, w) with the dense prompt added, imagePe (1, C, h, w);
    // forReuse: also project the image for the first block.
    TwoWayImage prepare(const torch::Tensor& image, const torch::Tensor& imagePe, bool forReuse);
    // tokens (B, T, C) -> (tokens out (B, T, C), image out (B, hw, C))
    std::pair<torch::Tensor, torch::Tensor> forward(const TwoWayImage& image, const torch::Tensor& tokens);
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& image, const torch::Tensor& imagePe,
                                                    const torch::Tensor& tokens) {
        return forward(prepare(image, imagePe, /*forReuse=*/false), tokens);
    }

private:
    torch::nn::ModuleList layers_;
    Attention finalAttn_{nullptr};
    torch::nn::LayerNorm normFinal_{nullptr};
};
TORCH_MODULE(TwoWayTransformer);

}  // namespace samtok::model
