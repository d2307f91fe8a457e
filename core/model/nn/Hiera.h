#pragma once
// SAM2's Hiera trunk (hieradet.py): patch embedding, position embedding
// (bicubic background + tiled window embedding) and MultiScaleBlocks with
// windowed or global attention and q-pooling at stage transitions.
// Tensors are NHWC inside the trunk, as in the reference.
#include "model/ModelConfig.h"
#include "model/nn/Layers.h"

#include <vector>

namespace samtok::model {

class MultiScaleAttentionImpl : public torch::nn::Module {
public:
    MultiScaleAttentionImpl(int64_t dim, int64_t dimOut, int64_t numHeads, int qStride);
    torch::Tensor forward(const torch::Tensor& x);  // (B, H, W, dim) -> (B, H', W', dimOut)

private:
    torch::Tensor attend(const torch::Tensor& x);
    int64_t dimOut_, numHeads_;
    int qStride_;  // 0: no q-pooling
    torch::nn::Linear qkv_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(MultiScaleAttention);

class MultiScaleBlockImpl : public torch::nn::Module {
public:
    MultiScaleBlockImpl(int64_t dim, int64_t dimOut, int64_t numHeads, double mlpRatio, int qStride, int windowSize);
    torch::Tensor forward(const torch::Tensor& x);  // (B, H, W, dim) -> (B, H', W', dimOut)

private:
    int64_t dim_, dimOut_;
    int qStride_, windowSize_;
    torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
    MultiScaleAttention attn_{nullptr};
    Mlp mlp_{nullptr};
    torch::nn::Linear proj_{nullptr};
};
TORCH_MODULE(MultiScaleBlock);

class HieraImpl : public torch::nn::Module {
public:
    explicit HieraImpl(const HieraConfig& c);
    // (B, 3, S, S) -> one NCHW feature map per stage, strides 4, 8, 16, 32.
    std::vector<torch::Tensor> forward(const torch::Tensor& x);
    torch::Tensor positionEmbedding(int64_t h, int64_t w);  // (1, h, w, C)

private:
    std::vector<int> stageEnds_;
    torch::nn::Conv2d patchEmbed_{nullptr};
    torch::Tensor posEmbed_, posEmbedWindow_;
    torch::nn::ModuleList blocks_;
};
TORCH_MODULE(Hiera);

// Window partition / unpartition (backbones/utils.py), NHWC.
torch::Tensor windowPartition(const torch::Tensor& x, int64_t ws);  // -> (B*nW, ws, ws, C), zero-padded
torch::Tensor windowUnpartition(const torch::Tensor& windows, int64_t ws, int64_t hp, int64_t wp, int64_t h, int64_t w);

}  // namespace samtok::model
