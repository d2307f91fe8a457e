#include "model/MaskDecoder.h"

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
    register_module("output_upscaling", torch::nn::Sequential(up1_, upNorm_, torch::nn::GELU(), up2_, torch::nn::GELU()));
    convS0_ = register_module("conv_s0", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, d / 8, 1)));
    convS1_ = register_module("conv_s1", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, d / 4, 1)));
    auto hyper = register_module("output_hypernetworks_mlps", torch::nn::ModuleList());
    for (int i = 0; i < numMaskTokens_; ++i) {
        hypernets_.push_back(Mlp(d, d, d / 8, 3));
        hyper->push_back(hypernets_.back());
    }
    iouHead_ = register_module("iou_prediction_head",
                               Mlp(d, c.iouHeadHiddenDim, numMaskTokens_, c.iouHeadDepth, MlpImpl::Activation::ReLU, true));
    objScoreHead_ = register_module("pred_obj_score_head", Mlp(d, d, 1, 3));
}

DecoderOutput MaskDecoderImpl::forward(const torch::Tensor& image, const torch::Tensor& imagePe,
                                       const torch::Tensor& sparse, const torch::Tensor& dense,
                                       const torch::Tensor& featS0, const torch::Tensor& featS1) {
    const int64_t b = sparse.size(0);
    auto outputTokens = torch::cat({objScoreToken_->weight, iouToken_->weight, maskTokens_->weight}, 0);  // (6, C)
    auto tokens = torch::cat({outputTokens.unsqueeze(0).expand({b, -1, -1}), sparse}, 1);             // (B, 6+N, C)
    auto src = image + dense;
    auto pos = imagePe.expand({b, -1, -1, -1});
    const int64_t c = src.size(1), h = src.size(2), w = src.size(3);

    auto [hs, keys] = transformer_->forward(src, pos, tokens);
    auto iouTokenOut = hs.select(1, 1);
    auto maskTokensOut = hs.slice(1, 2, 2 + numMaskTokens_);

    src = keys.transpose(1, 2).reshape({b, c, h, w});
    auto up = torch::gelu(upNorm_->forward(convTranspose2x2(src, up1_->weight, up1_->bias) + featS1));  // (B, C/4, 2e, 2e)
    up = torch::gelu(convTranspose2x2(up, up2_->weight, up2_->bias) + featS0);                            // (B, C/8, 4e, 4e)

    std::vector<torch::Tensor> hyper;
    for (int i = 0; i < numMaskTokens_; ++i)
        hyper.push_back(hypernets_[static_cast<std::size_t>(i)]->forward(maskTokensOut.select(1, i)));
    auto hyperIn = torch::stack(hyper, 1);  // (B, 4, C/8)
    const int64_t uc = up.size(1), uh = up.size(2), uw = up.size(3);
    auto masks = torch::matmul(hyperIn, up.reshape({b, uc, uh * uw})).reshape({b, -1, uh, uw});

    return {masks, iouHead_->forward(iouTokenOut), objScoreHead_->forward(hs.select(1, 0))};
}

}  // namespace samtok::model
