#include "model/nn/MaskDecoder.h"

namespace samtok::model {

MaskDecoderImpl::MaskDecoderImpl(const ModelConfig& c) : numMaskTokens_(c.numMultimaskOutputs + 1) {
    const int64_t d = c.dModel;
    transformer_ = register_module("transformer", TwoWayTransformer(d, c.decoder));
    iouToken_ = register_module("iou_token", EmbeddingWeight(1, d));
    maskTokens_ = register_module("mask_tokens", EmbeddingWeight(numMaskTokens_, d));
    objScoreToken_ = register_module("obj_score_token", EmbeddingWeight(1, d));
    // output_upscaling indices: 0 ConvT, 1 LayerNorm2d, 2 GELU, 3 ConvT, 4 GELU.
    up1_ = torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(d, d / 4, 2).stride(2));
    upNorm_ = LayerNorm2d(d / 4);
    up2_ = torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(d / 4, d / 8, 2).stride(2));
    register_module("output_upscaling",
                    torch::nn::Sequential(up1_, upNorm_, torch::nn::GELU(), up2_, torch::nn::GELU()));
    convS0_ = register_module("conv_s0", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, d / 8, 1)));
    convS1_ = register_module("conv_s1", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, d / 4, 1)));
    auto hyper = register_module("output_hypernetworks_mlps", torch::nn::ModuleList());
    for (int i = 0; i < numMaskTokens_; ++i) {
        hypernets_.push_back(Mlp(d, d, d / 8, 3));
        hyper->push_back(hypernets_.back());
    }
    iouHead_ = register_module("iou_prediction_head", Mlp(d, c.iouHeadHiddenDim, numMaskTokens_, c.iouHeadDepth,
                                                          MlpImpl::Activation::ReLU, true));
    objScoreHead_ = register_module("pred_obj_score_head", Mlp(d, d, 1, 3));
}

namespace {

// (B, C, 2e, 2e) -> (B, 4 e^2, C) with rows (i, j, di, dj) for pixel (2i+di, 2j+dj).
torch::Tensor blockedRows2(const torch::Tensor& x, int64_t e) {
    const int64_t b = x.size(0), c = x.size(1);
    return x.reshape({b, c, e, 2, e, 2}).permute({0, 2, 4, 3, 5, 1}).reshape({b, 4 * e * e, c});
}

// (B, C, 4e, 4e) -> (B, 16 e^2, C) with rows (i, j, di, dj, di2, dj2) for pixel (4i+2di+di2, 4j+2dj+dj2).
torch::Tensor blockedRows4(const torch::Tensor& x, int64_t e) {
    const int64_t b = x.size(0), c = x.size(1);
    return x.reshape({b, c, e, 2, 2, e, 2, 2}).permute({0, 2, 5, 3, 6, 4, 7, 1}).reshape({b, 16 * e * e, c});
}

// The inverse of blockedRows4 for the mask logits: (B, 16 e^2, M) -> (B, M, 4e, 4e).
torch::Tensor fromBlockedRows4(const torch::Tensor& x, int64_t e) {
    const int64_t b = x.size(0), m = x.size(2);
    return x.reshape({b, e, e, 2, 2, 2, 2, m}).permute({0, 7, 1, 3, 5, 2, 4, 6}).reshape({b, m, 4 * e, 4 * e});
}

}  // namespace

std::size_t DecoderImage::bytes() const {
    std::size_t n = 0;
    for (const auto* t : {&image.keys, &image.keyPe, &image.first.k, &image.first.v, &image.first.qT, &skipS0, &skipS1})
        if (t->defined()) n += static_cast<std::size_t>(t->numel()) * t->element_size();
    return n;
}

DecoderImage MaskDecoderImpl::prepare(const torch::Tensor& image, const torch::Tensor& imagePe,
                                      const torch::Tensor& dense, const torch::Tensor& featS0,
                                      const torch::Tensor& featS1, bool forReuse) {
    DecoderImage out;
    out.size = image.size(2);
    out.skipS1 = blockedRows2(featS1, out.size);
    out.skipS0 = blockedRows4(featS0, out.size);
    out.image = transformer_->prepare(image + dense, imagePe, forReuse);
    return out;
}

DecoderImage MaskDecoderImpl::withDense(const DecoderImage& prepared, const torch::Tensor& image,
                                        const torch::Tensor& imagePe, const torch::Tensor& dense) {
    DecoderImage out = prepared;
    out.image = transformer_->prepare(image + dense, imagePe, /*forReuse=*/false);
    return out;
}

DecoderOutput MaskDecoderImpl::forward(const DecoderImage& image, const torch::Tensor& sparse) {
    const int64_t b = sparse.size(0), e = image.size;
    auto outputTokens = torch::cat({objScoreToken_->weight, iouToken_->weight, maskTokens_->weight}, 0);  // (6, C)
    auto tokens = torch::cat({outputTokens.unsqueeze(0).expand({b, -1, -1}), sparse}, 1);                 // (B, 6+N, C)

    auto [hs, keys] = transformer_->forward(image.image, tokens);  // keys (B, e^2, C)
    auto iouTokenOut = hs.select(1, 1);
    auto maskTokensOut = hs.slice(1, 2, 2 + numMaskTokens_);

    // output_upscaling with pixels as rows, in the order the skip features were
    // prepared in: no layout changes until the masks are complete.
    auto up = convTranspose2x2Rows(keys, up1_->weight, up1_->bias).view({b, 4 * e * e, -1});  // (B, 4e^2, C/4)
    up = torch::gelu(upNorm_->forwardChannelsLast(up + image.skipS1));
    up = convTranspose2x2Rows(up, up2_->weight, up2_->bias).view({b, 16 * e * e, -1});  // (B, 16e^2, C/8)
    up = torch::gelu(up + image.skipS0);

    std::vector<torch::Tensor> hyper;
    for (int i = 0; i < numMaskTokens_; ++i)
        hyper.push_back(hypernets_[static_cast<std::size_t>(i)]->forward(maskTokensOut.select(1, i)));
    auto hyperIn = torch::stack(hyper, 2);                         // (B, C/8, 4)
    auto masks = fromBlockedRows4(torch::matmul(up, hyperIn), e);  // (B, 4, 4e, 4e)

    return {masks, iouHead_->forward(iouTokenOut), objScoreHead_->forward(hs.select(1, 0))};
}

}  // namespace samtok::model
