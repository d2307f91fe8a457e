#include "model/TwoWayTransformer.h"

namespace samtok::model {

AttentionImpl::AttentionImpl(int64_t dim, int64_t numHeads, int64_t downsampleRate) : numHeads_(numHeads) {
    const int64_t internal = dim / downsampleRate;
    q_ = register_module("q_proj", torch::nn::Linear(dim, internal));
    k_ = register_module("k_proj", torch::nn::Linear(dim, internal));
    v_ = register_module("v_proj", torch::nn::Linear(dim, internal));
    out_ = register_module("out_proj", torch::nn::Linear(internal, dim));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    auto heads = [this](const torch::Tensor& x) {  // (B, N, C) -> (B, heads, N, C/heads)
        return x.reshape({x.size(0), x.size(1), numHeads_, x.size(2) / numHeads_}).transpose(1, 2);
    };
    auto out = scaledDotProductAttention(heads(q_->forward(q)), heads(k_->forward(k)), heads(v_->forward(v)));
    out = out.transpose(1, 2);
    return out_->forward(out.reshape({out.size(0), out.size(1), -1}));
}

TwoWayAttentionBlockImpl::TwoWayAttentionBlockImpl(int64_t dim, int64_t numHeads, int64_t mlpDim, int64_t downsampleRate,
                                                   bool skipFirstLayerPe)
    : skipFirstLayerPe_(skipFirstLayerPe) {
    selfAttn_ = register_module("self_attn", Attention(dim, numHeads, 1));
    norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    tokenToImage_ = register_module("cross_attn_token_to_image", Attention(dim, numHeads, downsampleRate));
    norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    mlp_ = register_module("mlp", Mlp(dim, mlpDim, dim, 2, MlpImpl::Activation::ReLU));
    norm3_ = register_module("norm3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    norm4_ = register_module("norm4", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    imageToToken_ = register_module("cross_attn_image_to_token", Attention(dim, numHeads, downsampleRate));
}

std::pair<torch::Tensor, torch::Tensor> TwoWayAttentionBlockImpl::forward(torch::Tensor queries, torch::Tensor keys,
                                                                          const torch::Tensor& queryPe,
                                                                          const torch::Tensor& keyPe) {
    if (skipFirstLayerPe_) {
        queries = selfAttn_->forward(queries, queries, queries);  // no residual in the first layer
    } else {
        auto q = queries + queryPe;
        queries = queries + selfAttn_->forward(q, q, queries);
    }
    queries = norm1_->forward(queries);

    auto q = queries + queryPe;
    const auto k = keys + keyPe;  // keys do not change until the last step: reused there
    queries = norm2_->forward(queries + tokenToImage_->forward(q, k, keys));
    queries = norm3_->forward(queries + mlp_->forward(queries));

    q = queries + queryPe;
    keys = norm4_->forward(keys + imageToToken_->forward(k, q, queries));
    return {queries, keys};
}

TwoWayTransformerImpl::TwoWayTransformerImpl(int64_t dim, const TwoWayConfig& c) {
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < c.depth; ++i)
        layers_->push_back(TwoWayAttentionBlock(dim, c.numHeads, c.mlpDim, c.attentionDownsampleRate, i == 0));
    finalAttn_ = register_module("final_attn_token_to_image", Attention(dim, c.numHeads, c.attentionDownsampleRate));
    normFinal_ = register_module("norm_final_attn", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
}

std::pair<torch::Tensor, torch::Tensor> TwoWayTransformerImpl::forward(const torch::Tensor& image,
                                                                       const torch::Tensor& imagePe,
                                                                       const torch::Tensor& tokens) {
    // (B, hw, C), row-major pixels. Made contiguous once: a transposed view would
    // be copied again by every projection that reads it.
    auto keys = image.flatten(2).permute({0, 2, 1}).contiguous();
    const auto keyPe = imagePe.flatten(2).permute({0, 2, 1}).contiguous();
    auto queries = tokens;
    for (std::size_t i = 0; i < layers_->size(); ++i)
        std::tie(queries, keys) = layers_[i]->as<TwoWayAttentionBlockImpl>()->forward(queries, keys, tokens, keyPe);
    queries = queries + finalAttn_->forward(queries + tokens, keys + keyPe, keys);
    return {normFinal_->forward(queries), keys};
}

}  // namespace samtok::model
