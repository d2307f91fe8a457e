#include "model/nn/PromptEncoder.h"

#include <cmath>

namespace samtok::model {

PositionEmbeddingRandomImpl::PositionEmbeddingRandomImpl(int64_t numPosFeats) {
    gaussian_ = register_buffer("positional_encoding_gaussian_matrix", torch::randn({2, numPosFeats}));
}

torch::Tensor PositionEmbeddingRandomImpl::encode(const torch::Tensor& unit) {
    // In float32 whatever the model's precision: in bfloat16 a coordinate near
    // 1 is off by up to 1/256, several pixels at 1024 px. The result takes the model's type.
    auto c = 2 * unit.to(torch::kFloat32) - 1;
    c = torch::matmul(c, gaussian_.to(torch::kFloat32));
    c = 2 * M_PI * c;
    return torch::cat({torch::sin(c), torch::cos(c)}, -1).to(gaussian_.scalar_type());
}

torch::Tensor PositionEmbeddingRandomImpl::dense(int64_t h, int64_t w) {
    auto grid = torch::ones({h, w}, gaussian_.options().dtype(torch::kFloat32));
    auto y = (grid.cumsum(0) - 0.5) / static_cast<double>(h);
    auto x = (grid.cumsum(1) - 0.5) / static_cast<double>(w);
    auto pe = encode(torch::stack({x, y}, -1));  // (h, w, 2F)
    return pe.permute({2, 0, 1}).unsqueeze(0);
}

torch::Tensor PositionEmbeddingRandomImpl::withCoords(const torch::Tensor& coords, int64_t size) {
    return encode(coords.to(torch::kFloat32) / static_cast<double>(size));
}

PromptEncoderImpl::PromptEncoderImpl(int64_t embedDim, int64_t embeddingSize, int64_t imageSize, int64_t maskInChans)
    : embedDim_(embedDim), embeddingSize_(embeddingSize), imageSize_(imageSize) {
    pe_ = register_module("pe_layer", PositionEmbeddingRandom(embedDim / 2));
    auto points = register_module("point_embeddings", torch::nn::ModuleList());
    for (int i = 0; i < 4; ++i) {
        pointEmbeddings_.push_back(EmbeddingWeight(1, embedDim));
        points->push_back(pointEmbeddings_.back());
    }
    notAPoint_ = register_module("not_a_point_embed", EmbeddingWeight(1, embedDim));
    // Sequential indices as in the reference: 0 conv, 1 LN, 2 GELU, 3 conv, 4 LN, 5 GELU, 6 conv.
    maskDownscaling_ = register_module(
        "mask_downscaling",
        torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, maskInChans / 4, 2).stride(2)),
                              LayerNorm2d(maskInChans / 4), torch::nn::GELU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(maskInChans / 4, maskInChans, 2).stride(2)),
                              LayerNorm2d(maskInChans), torch::nn::GELU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(maskInChans, embedDim, 1))));
    noMask_ = register_module("no_mask_embed", EmbeddingWeight(1, embedDim));
}

torch::Tensor PromptEncoderImpl::embedPoints(torch::Tensor points, torch::Tensor labels, bool pad) {
    points = points.to(torch::kFloat32) + 0.5;  // pixel centres
    if (pad) {
        points = torch::cat({points, torch::zeros({points.size(0), 1, 2}, points.options())}, 1);
        labels = torch::cat({labels, -torch::ones({labels.size(0), 1}, labels.options())}, 1);
    }
    auto emb = pe_->withCoords(points, imageSize_);  // (B, N, C)
    auto lab = labels.unsqueeze(-1);
    emb = torch::where(lab == -1, notAPoint_->weight.view({1, 1, -1}).expand_as(emb), emb);
    for (int i = 0; i < 4; ++i)
        emb = torch::where(lab == i, emb + pointEmbeddings_[static_cast<std::size_t>(i)]->weight.view({1, 1, -1}), emb);
    return emb;
}

torch::Tensor PromptEncoderImpl::embedMasks(const torch::Tensor& masks) {
    return maskDownscaling_->forward(masks);
}

torch::Tensor PromptEncoderImpl::noMaskDense(int64_t batch) {
    return noMask_->weight.view({1, -1, 1, 1}).expand({batch, -1, embeddingSize_, embeddingSize_});
}

torch::Tensor PromptEncoderImpl::denseImagePe() {
    return pe_->dense(embeddingSize_, embeddingSize_);
}

}  // namespace samtok::model
