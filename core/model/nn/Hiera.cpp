#include "model/nn/Hiera.h"

#include <algorithm>

namespace samtok::model {
namespace F = torch::nn::functional;

namespace {

// MaxPool2d(stride, stride) over an NHWC tensor.
torch::Tensor poolNhwc(const torch::Tensor& x, int stride) {
    return F::max_pool2d(x.permute({0, 3, 1, 2}), F::MaxPool2dFuncOptions(stride).stride(stride)).permute({0, 2, 3, 1});
}

}  // namespace

torch::Tensor windowPartition(const torch::Tensor& x, int64_t ws) {
    const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
    const int64_t padH = (ws - h % ws) % ws, padW = (ws - w % ws) % ws;
    torch::Tensor p = x;
    if (padH > 0 || padW > 0) p = F::pad(x, F::PadFuncOptions({0, 0, 0, padW, 0, padH}));
    const int64_t hp = h + padH, wp = w + padW;
    return p.view({b, hp / ws, ws, wp / ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).contiguous().view({-1, ws, ws, c});
}

torch::Tensor windowUnpartition(const torch::Tensor& windows, int64_t ws, int64_t hp, int64_t wp, int64_t h,
                                int64_t w) {
    const int64_t b = windows.size(0) / (hp * wp / ws / ws);
    auto x =
        windows.view({b, hp / ws, wp / ws, ws, ws, -1}).permute({0, 1, 3, 2, 4, 5}).contiguous().view({b, hp, wp, -1});
    if (hp > h || wp > w) x = x.slice(1, 0, h).slice(2, 0, w).contiguous();
    return x;
}

MultiScaleAttentionImpl::MultiScaleAttentionImpl(int64_t dim, int64_t dimOut, int64_t numHeads, int qStride)
    : dimOut_(dimOut), numHeads_(numHeads), qStride_(qStride) {
    qkv_ = register_module("qkv", torch::nn::Linear(dim, dimOut * 3));
    proj_ = register_module("proj", torch::nn::Linear(dimOut, dimOut));
}

torch::Tensor MultiScaleAttentionImpl::forward(const torch::Tensor& x) {
    // Windows attend independently: run them in groups of about 8k tokens so
    // stage 1's qkv and scores (100+ MB each for Hiera-L) never exist whole.
    const int64_t perWindow = x.size(1) * x.size(2);
    const int64_t group = std::max<int64_t>(1, 8192 / perWindow);
    if (x.size(0) <= group) return attend(x);
    std::vector<torch::Tensor> parts;
    for (int64_t w = 0; w < x.size(0); w += group)
        parts.push_back(attend(x.slice(0, w, std::min(x.size(0), w + group))));
    return torch::cat(parts, 0);
}

torch::Tensor MultiScaleAttentionImpl::attend(const torch::Tensor& x) {
    const int64_t b = x.size(0);
    int64_t h = x.size(1), w = x.size(2);
    auto qkv = qkv_->forward(x).reshape({b, h * w, 3, numHeads_, -1});  // (B, HW, 3, heads, hd)
    auto q = qkv.select(2, 0), k = qkv.select(2, 1), v = qkv.select(2, 2);
    if (qStride_ > 0) {
        q = poolNhwc(q.reshape({b, h, w, -1}), qStride_);
        h = q.size(1);
        w = q.size(2);
        q = q.reshape({b, h * w, numHeads_, -1});
    }
    auto out = scaledDotProductAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2));  // (B, heads, T, hd)
    out = out.transpose(1, 2).reshape({b, h, w, -1});
    return proj_->forward(out);
}

MultiScaleBlockImpl::MultiScaleBlockImpl(int64_t dim, int64_t dimOut, int64_t numHeads, double mlpRatio, int qStride,
                                         int windowSize)
    : dim_(dim), dimOut_(dimOut), qStride_(qStride), windowSize_(windowSize) {
    norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6)));
    attn_ = register_module("attn", MultiScaleAttention(dim, dimOut, numHeads, qStride));
    norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dimOut}).eps(1e-6)));
    mlp_ = register_module("mlp",
                           Mlp(dimOut, static_cast<int64_t>(dimOut * mlpRatio), dimOut, 2, MlpImpl::Activation::GELU));
    if (dim != dimOut) proj_ = register_module("proj", torch::nn::Linear(dim, dimOut));
}

torch::Tensor MultiScaleBlockImpl::forward(const torch::Tensor& input) {
    torch::Tensor shortcut = input;
    torch::Tensor x = norm1_->forward(input);
    // Stage transition: the shortcut is the pooled projection of the *normalised* input.
    if (dim_ != dimOut_) shortcut = poolNhwc(proj_->forward(x), qStride_);

    int64_t ws = windowSize_;
    int64_t h = x.size(1), w = x.size(2);
    int64_t hp = h, wp = w;
    if (ws > 0) {
        x = windowPartition(x, ws);
        hp = h + (ws - h % ws) % ws;
        wp = w + (ws - w % ws) % ws;
    }
    x = attn_->forward(x);
    if (qStride_ > 0) {
        // q was pooled: windows shrank, and the output grid is the shortcut's.
        ws = windowSize_ / qStride_;
        h = shortcut.size(1);
        w = shortcut.size(2);
        if (ws > 0) {
            hp = h + (ws - h % ws) % ws;
            wp = w + (ws - w % ws) % ws;
        }
    }
    if (windowSize_ > 0) x = windowUnpartition(x, ws, hp, wp, h, w);
    x = shortcut + x;
    // The MLP widens 4x: on the 256x256 tokens of stage 1 that is 150 MB per
    // activation. Rows are independent, so bound it by running chunks.
    const int64_t tokens = x.size(0) * x.size(1) * x.size(2);
    constexpr int64_t kChunk = 8192;
    if (tokens <= kChunk) return x + mlp_->forward(norm2_->forward(x));
    auto flat = x.reshape({tokens, x.size(3)});
    auto out = torch::empty_like(flat);
    for (int64_t r = 0; r < tokens; r += kChunk) {
        const auto rows = flat.slice(0, r, std::min(tokens, r + kChunk));
        out.slice(0, r, std::min(tokens, r + kChunk)).copy_(rows + mlp_->forward(norm2_->forward(rows)));
    }
    return out.view(x.sizes());
}

HieraImpl::HieraImpl(const HieraConfig& c) {
    int depth = 0;
    for (int s : c.stages) {
        depth += s;
        stageEnds_.push_back(depth - 1);
    }
    std::vector<int> qPoolBlocks;
    for (std::size_t i = 0; i + 1 < stageEnds_.size() && static_cast<int>(i) < c.qPool; ++i)
        qPoolBlocks.push_back(stageEnds_[i] + 1);

    patchEmbed_ = torch::nn::Conv2d(torch::nn::Conv2dOptions(3, c.embedDim, 7).stride(4).padding(3));
    auto patch = register_module("patch_embed", std::make_shared<torch::nn::Module>());
    patch->register_module("proj", patchEmbed_);
    posEmbed_ = register_parameter("pos_embed", torch::zeros({1, c.embedDim, c.windowPosEmbedBkgSpatialSize[0],
                                                              c.windowPosEmbedBkgSpatialSize[1]}));
    posEmbedWindow_ =
        register_parameter("pos_embed_window", torch::zeros({1, c.embedDim, c.windowSpec[0], c.windowSpec[0]}));

    blocks_ = register_module("blocks", torch::nn::ModuleList());
    int64_t dim = c.embedDim;
    int64_t heads = c.numHeads;
    int stage = 1;
    for (int i = 0; i < depth; ++i) {
        int64_t dimOut = dim;
        // The window size lags one block behind the stage change, as in the reference.
        int window = c.windowSpec[static_cast<std::size_t>(stage - 1)];
        if (std::count(c.globalAttBlocks.begin(), c.globalAttBlocks.end(), i)) window = 0;
        if (std::count(stageEnds_.begin(), stageEnds_.end(), i - 1)) {
            dimOut = static_cast<int64_t>(static_cast<double>(dim) * c.dimMul);
            heads = static_cast<int64_t>(static_cast<double>(heads) * c.headMul);
            ++stage;
        }
        const bool pool = std::count(qPoolBlocks.begin(), qPoolBlocks.end(), i) > 0;
        blocks_->push_back(MultiScaleBlock(dim, dimOut, heads, c.mlpRatio, pool ? c.qStride : 0, window));
        dim = dimOut;
    }
}

torch::Tensor HieraImpl::positionEmbedding(int64_t h, int64_t w) {
    auto pos = F::interpolate(
        posEmbed_,
        F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBicubic).align_corners(false));
    pos = pos + posEmbedWindow_.tile({1, 1, h / posEmbedWindow_.size(2), w / posEmbedWindow_.size(3)});
    return pos.permute({0, 2, 3, 1});
}

std::vector<torch::Tensor> HieraImpl::forward(const torch::Tensor& input) {
    auto x = patchEmbed_->forward(input).permute({0, 2, 3, 1});  // (B, S/4, S/4, C)
    x = x + positionEmbedding(x.size(1), x.size(2));
    std::vector<torch::Tensor> outputs;
    for (std::size_t i = 0; i < blocks_->size(); ++i) {
        x = blocks_[i]->as<MultiScaleBlockImpl>()->forward(x);
        if (std::count(stageEnds_.begin(), stageEnds_.end(), static_cast<int>(i)))
            outputs.push_back(x.permute({0, 3, 1, 2}));
    }
    return outputs;
}

}  // namespace samtok::model
