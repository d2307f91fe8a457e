#include "model/nn/TwoWayTransformer.h"

namespace samtok::model {

AttentionImpl::AttentionImpl(int64_t dim, int64_t numHeads, int64_t downsampleRate) : numHeads_(numHeads) {
    const int64_t internal = dim / downsampleRate;
    q_ = register_module("q_proj", torch::nn::Linear(dim, internal));
    k_ = register_module("k_proj", torch::nn::Linear(dim, internal));
    v_ = register_module("v_proj", torch::nn::Linear(dim, internal));
    out_ = register_module("out_proj", torch::nn::Linear(internal, dim));
}

torch::Tensor AttentionImpl::splitHeads(const torch::Tensor& x) const {  // (B, N, C) -> (B, heads, N, C/heads)
    return x.reshape({x.size(0), x.size(1), numHeads_, x.size(2) / numHeads_}).transpose(1, 2);
}

torch::Tensor AttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    auto out = scaledDotProductAttention(q, k, v).transpose(1, 2);  // (B, N, heads, C/heads)
    return out_->forward(out.reshape({out.size(0), out.size(1), -1}));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    return attend(projectQ(q), projectK(k), projectV(v));
}

torch::Tensor AttentionImpl::scoresOverImage(const torch::Tensor& tokens, const torch::nn::Linear& imageSide,
                                             const torch::Tensor& x) const {
    const int64_t b = tokens.size(0), t = tokens.size(2), d = tokens.size(3), c = x.size(2), hw = x.size(1);
    const auto g = torch::matmul(tokens, imageSide->weight.view({numHeads_, d, c}));        // (B, H, T, C)
    const auto bias = (tokens * imageSide->bias.view({1, numHeads_, 1, d})).sum(-1, true);  // (B, H, T, 1)
    return torch::matmul(g.reshape({b, numHeads_ * t, c}), x.transpose(1, 2)).view({b, numHeads_, t, hw}) + bias;
}

torch::Tensor AttentionImpl::tokensToImage(const torch::Tensor& tokens, const torch::Tensor& x,
                                           const torch::Tensor& y) {
    const int64_t b = tokens.size(0), t = tokens.size(1), c = x.size(2), hw = x.size(1);
    const int64_t d = q_->weight.size(0) / numHeads_;
    const auto q = projectQ(tokens) * (1.0 / std::sqrt(static_cast<double>(d)));       // (B, H, T, d)
    const auto weights = torch::softmax(scoresOverImage(q, k_, x), -1);                // (B, H, T, hw)
    const auto pooled = matmulSummedInFloat(weights.view({b, numHeads_ * t, hw}), y);  // (B, H*T, C): sum of a y
    // Wv per head, then bv (the weights of a row sum to 1).
    auto out = torch::matmul(pooled.view({b, numHeads_, t, c}), v_->weight.view({numHeads_, d, c}).transpose(1, 2)) +
               v_->bias.view({1, numHeads_, 1, d});  // (B, H, T, d)
    return out_->forward(out.transpose(1, 2).reshape({b, t, numHeads_ * d}));
}

torch::Tensor AttentionImpl::imageToTokens(const torch::Tensor& qImageT, const torch::Tensor& x,
                                           const torch::Tensor& kTokens, const torch::Tensor& vTokens) {
    const int64_t b = kTokens.size(0), t = kTokens.size(1), c = kTokens.size(2);
    const int64_t d = q_->weight.size(0) / numHeads_;
    const auto k = projectK(kTokens) * (1.0 / std::sqrt(static_cast<double>(d)));                   // (B, H, T, d)
    const auto scores = qImageT.defined() ? torch::matmul(k, qImageT) : scoresOverImage(k, q_, x);  // (B, H, T, hw)
    const auto weights = torch::softmax(scores, 2);  // over the tokens, for each image token
    const int64_t hw = weights.size(3);
    // out_proj of each token's value, per head: (B, H, T, d) x (H, d, C) -> (B, H, T, C).
    const auto values = torch::matmul(projectV(vTokens), out_->weight.view({c, numHeads_, d}).permute({1, 2, 0}));
    return torch::matmul(weights.reshape({b, numHeads_ * t, hw}).transpose(1, 2),
                         values.reshape({b, numHeads_ * t, c})) +
           out_->bias;  // (B, hw, C)
}

TwoWayAttentionBlockImpl::TwoWayAttentionBlockImpl(int64_t dim, int64_t numHeads, int64_t mlpDim,
                                                   int64_t downsampleRate, bool skipFirstLayerPe)
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

ImageProjections TwoWayAttentionBlockImpl::projectImage(const torch::Tensor& keys, const torch::Tensor& keyPe) {
    // The keys do not change until the block's last step, so keys + pe serves both
    // cross attentions. Contiguous once here rather than in every product that reads them.
    const auto x = keys + keyPe;
    return {tokenToImage_->projectK(x).contiguous(), tokenToImage_->projectV(keys).contiguous(),
            imageToToken_->projectQ(x).transpose(-2, -1).contiguous()};
}

std::pair<torch::Tensor, torch::Tensor> TwoWayAttentionBlockImpl::forward(torch::Tensor queries,
                                                                          const torch::Tensor& keys,
                                                                          const torch::Tensor& queryPe,
                                                                          const torch::Tensor& keyPe,
                                                                          const ImageProjections* projected) {
    if (skipFirstLayerPe_) {
        queries = selfAttn_->forward(queries, queries, queries);  // no residual in the first layer
    } else {
        auto q = queries + queryPe;
        queries = queries + selfAttn_->forward(q, q, queries);
    }
    queries = norm1_->forward(queries);

    const auto x = projected ? torch::Tensor() : keys + keyPe;  // the keys do not change until the last step
    auto q = queries + queryPe;
    const auto fromImage = projected ? tokenToImage_->attend(tokenToImage_->projectQ(q), projected->k, projected->v)
                                     : tokenToImage_->tokensToImage(q, x, keys);
    queries = norm2_->forward(queries + fromImage);
    queries = norm3_->forward(queries + mlp_->forward(queries));

    q = queries + queryPe;
    const auto fromTokens = imageToToken_->imageToTokens(projected ? projected->qT : torch::Tensor(), x, q, queries);
    return {queries, norm4_->forward(keys + fromTokens)};
}

TwoWayTransformerImpl::TwoWayTransformerImpl(int64_t dim, const TwoWayConfig& c) {
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < c.depth; ++i)
        layers_->push_back(TwoWayAttentionBlock(dim, c.numHeads, c.mlpDim, c.attentionDownsampleRate, i == 0));
    finalAttn_ = register_module("final_attn_token_to_image", Attention(dim, c.numHeads, c.attentionDownsampleRate));
    normFinal_ = register_module("norm_final_attn", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
}

TwoWayImage TwoWayTransformerImpl::prepare(const torch::Tensor& image, const torch::Tensor& imagePe, bool forReuse) {
    TwoWayImage out;
    // (B, hw, C), row-major pixels. Made contiguous once: a transposed view would
    // be copied again by every product that reads it.
    out.keys = image.flatten(2).permute({0, 2, 1}).contiguous();
    out.keyPe = imagePe.flatten(2).permute({0, 2, 1}).contiguous();
    if (forReuse) out.first = layers_[0]->as<TwoWayAttentionBlockImpl>()->projectImage(out.keys, out.keyPe);
    return out;
}

std::pair<torch::Tensor, torch::Tensor> TwoWayTransformerImpl::forward(const TwoWayImage& image,
                                                                       const torch::Tensor& tokens) {
    auto queries = tokens;
    auto keys = image.keys;
    for (std::size_t i = 0; i < layers_->size(); ++i)
        std::tie(queries, keys) = layers_[i]->as<TwoWayAttentionBlockImpl>()->forward(
            queries, keys, tokens, image.keyPe, i == 0 && image.first.k.defined() ? &image.first : nullptr);
    queries = queries + finalAttn_->tokensToImage(queries + tokens, keys + image.keyPe, keys);
    return {normFinal_->forward(queries), keys};
}

}  // namespace samtok::model
