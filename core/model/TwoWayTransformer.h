#pragma once
// SAM's two-way transformer (sam/transformer.py), used by both the SAM2 mask
// decoder and SAMTok's mask encoder: tokens attend to the image, the image
// attends back to the tokens.
#include "model/Layers.h"
#include "model/ModelConfig.h"

namespace samtok::model {

class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(int64_t dim, int64_t numHeads, int64_t downsampleRate);
    torch::Tensor forward(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

private:
    int64_t numHeads_;
    torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, out_{nullptr};
};
TORCH_MODULE(Attention);

class TwoWayAttentionBlockImpl : public torch::nn::Module {
public:
    TwoWayAttentionBlockImpl(int64_t dim, int64_t numHeads, int64_t mlpDim, int64_t downsampleRate, bool skipFirstLayerPe);
    // queries (B, T, C), keys (B, HW, C) -> updated both
    std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor queries, torch::Tensor keys, const torch::Tensor& queryPe,
                                                    const torch::Tensor& keyPe);

private:
    bool skipFirstLayerPe_;
    Attention selfAttn_{nullptr}, tokenToImage_{nullptr}, imageToToken_{nullptr};
    torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr}, norm3_{nullptr}, norm4_{nullptr};
    Mlp mlp_{nullptr};
};
TORCH_MODULE(TwoWayAttentionBlock);

class TwoWayTransformerImpl : public torch::nn::Module {
public:
    TwoWayTransformerImpl(int64_t dim, const TwoWayConfig& c);
    // image (B, C, h, w), imagePe (B, C, h, w), tokens (B, T, C) -> (tokens out (B, T, C), image out (B, hw, C))
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& image, const torch::Tensor& imagePe,
                                                    const torch::Tensor& tokens);

private:
    torch::nn::ModuleList layers_;
    Attention finalAttn_{nullptr};
    torch::nn::LayerNorm normFinal_{nullptr};
};
TORCH_MODULE(TwoWayTransformer);

}  // namespace samtok::model
