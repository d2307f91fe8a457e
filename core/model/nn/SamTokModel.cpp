#include "model/nn/SamTokModel.h"

namespace samtok::model {
namespace F = torch::nn::functional;

bool isUnusedBySamTok(const std::string& name) {
    static const std::string prefix = "model.sam2_model.";
    static const std::vector<std::string> unused{"memory_attention.",  "memory_encoder.",  "obj_ptr_proj.",
                                                 "obj_ptr_tpos_proj.", "mask_downsample.", "maskmem_tpos_enc",
                                                 "no_mem_pos_enc",     "no_obj_ptr",       "no_obj_embed_spatial"};
    if (name.rfind(prefix, 0) != 0) return false;
    for (const auto& u : unused)
        if (name.compare(prefix.size(), u.size(), u) == 0) return true;
    return false;
}

Sam2BaseImpl::Sam2BaseImpl(const ModelConfig& c) {
    auto imageEncoder = register_module("image_encoder", std::make_shared<torch::nn::Module>());
    trunk = imageEncoder->register_module("trunk", Hiera(c.trunk));
    neck = imageEncoder->register_module("neck", FpnNeck(c.dModel, c.backboneChannels(), c.fpnTopDownLevels, c.scalp));
    promptEncoder =
        register_module("sam_prompt_encoder", PromptEncoder(c.dModel, c.embeddingSize(), c.imageSize, c.maskInChans));
    maskDecoder = register_module("sam_mask_decoder", MaskDecoder(c));
    maskEncoder = register_module("sam_mask_encoder", MaskEncoder(c));
    noMemEmbed =
        register_parameter("no_mem_embed", torch::randn({1, 1, c.dModel}) * 0.02);  // SAM2's trunc_normal(0.02)
}

SamTokModelImpl::SamTokModelImpl(ModelConfig c) : config_(std::move(c)) {
    config_.validate();
    auto wrapper = register_module("model", std::make_shared<torch::nn::Module>());
    sam2 = wrapper->register_module("sam2_model", Sam2Base(config_));
    quantizer =
        register_module("quantizer", ResidualQuantizer(config_.codebookSize, config_.codebookDepth, config_.latentDim));
}

ImageFeatures SamTokModelImpl::embedImage(const torch::Tensor& pixels, bool keepIntermediates) {
    ImageFeatures f;
    auto trunkOut = sam2->trunk->forward(pixels);
    auto levels = sam2->neck->forward(trunkOut);  // strides 4, 8, 16
    f.embedding = levels[2] + sam2->noMemEmbed.view({1, -1, 1, 1});
    f.featS0 = sam2->maskDecoder->convS0(levels[0]);
    f.featS1 = sam2->maskDecoder->convS1(levels[1]);
    f.densePe = sam2->promptEncoder->denseImagePe();
    if (keepIntermediates) {
        f.trunk = trunkOut;
        f.neck = levels;
    }
    return f;
}

torch::Tensor SamTokModelImpl::encodeLatent(const ImageFeatures& f, const torch::Tensor& masks,
                                            const torch::Tensor& boxes) {
    const int64_t b = masks.size(0);
    const double h0 = static_cast<double>(masks.size(2)), w0 = static_cast<double>(masks.size(3));
    const double s = config_.imageSize;
    // Box corners in model pixels, as labelled points; the encoder appends a padding point.
    // Normalise by the original size, then scale to the model frame, in float32 as the reference does.
    auto size = torch::tensor({w0, h0, w0, h0}, boxes.options());
    auto corners = (boxes / size * s).view({b, 2, 2});
    auto labels = torch::tensor({2, 3}, torch::kInt64).to(boxes.device()).view({1, 2}).expand({b, 2});
    auto sparse = sam2->promptEncoder->embedPoints(corners, labels, /*pad=*/true);

    const int64_t m = config_.lowResMaskSize();
    auto maskPrompt = F::interpolate(masks, F::InterpolateFuncOptions()
                                                .size(std::vector<int64_t>{m, m})
                                                .mode(torch::kBilinear)
                                                .align_corners(false)
                                                .antialias(true));
    // (The antialiased resize runs in float32: LibTorch has no bfloat16 kernel for it.)
    auto dense = sam2->promptEncoder->embedMasks(maskPrompt.to(f.embedding.scalar_type()));
    auto latent = sam2->maskEncoder->forward(f.embedding.expand({b, -1, -1, -1}), f.densePe, sparse, dense);
    return latent.select(1, 0);
}

void SamTokModelImpl::prepareDecoder(ImageFeatures& f, MaskDecoder decoder) {
    if (!decoder) decoder = sam2->maskDecoder;
    f.prepared = decoder->prepare(f.embedding, f.densePe, sam2->promptEncoder->noMaskDense(1), f.featS0, f.featS1,
                                  /*forReuse=*/true);
    f.preparedFor = decoder.get();
}

HeadOutput SamTokModelImpl::runDecoder(MaskDecoder& decoder, const ImageFeatures& f, const torch::Tensor& sparse,
                                       const torch::Tensor& maskDense, bool multimask) {
    const auto dense = maskDense.defined() ? maskDense : sam2->promptEncoder->noMaskDense(1);
    DecoderImage image;
    if (f.prepared && f.preparedFor == decoder.get() && !maskDense.defined())
        image = *f.prepared;
    else if (f.prepared)  // a mask prompt, or another instance of the decoder: only the skip features carry over
        image = decoder->withDense(*f.prepared, f.embedding, f.densePe, dense);
    else
        image = decoder->prepare(f.embedding, f.densePe, dense, f.featS0, f.featS1, /*forReuse=*/false);
    auto out = decoder->forward(image, sparse);
    HeadOutput h;
    h.objectScore = out.objectScore;
    h.sparse = sparse;
    if (multimask) {
        h.masks = out.masks.slice(1, 1);
        h.iou = out.iouPred.slice(1, 1);
    } else {
        h.masks = out.masks.slice(1, 0, 1);
        h.iou = out.iouPred.slice(1, 0, 1);
    }
    selectBest(h);
    return h;
}

void SamTokModelImpl::selectBest(HeadOutput& h) {
    const int64_t b = h.masks.size(0);
    h.best = h.iou.argmax(1);
    h.bestMask = h.masks.gather(1, h.best.view({b, 1, 1, 1}).expand({b, 1, h.masks.size(2), h.masks.size(3)}));
}

HeadOutput SamTokModelImpl::decodeLatent(const ImageFeatures& f, const torch::Tensor& zq) {
    const int64_t b = zq.size(0);
    // The reference's dummy point (label -1) plus the encoder's padding point, then the code embedding.
    auto pads = sam2->promptEncoder->embedPoints(torch::zeros({b, 1, 2}, zq.options()),
                                                 -torch::ones({b, 1}, zq.options().dtype(torch::kInt64)), true);
    auto sparse = torch::cat({pads, zq.unsqueeze(1)}, 1);
    return runDecoder(sam2->maskDecoder, f, sparse, torch::Tensor(), /*multimask=*/true);
}

HeadOutput SamTokModelImpl::segment(const ImageFeatures& f, const torch::Tensor& points, const torch::Tensor& labels,
                                    const torch::Tensor& maskInput, bool multimask, MaskDecoder decoder) {
    auto sparse = sam2->promptEncoder->embedPoints(points, labels, /*pad=*/true);
    auto dense = maskInput.defined() ? sam2->promptEncoder->embedMasks(maskInput) : torch::Tensor();
    auto h = runDecoder(decoder ? decoder : sam2->maskDecoder, f, sparse, dense, multimask);
    // Vanilla SAM2 hides masks the object-score head says are absent (SAMTok's decode path does not).
    const auto present = h.objectScore.gt(0).view({-1, 1, 1, 1});
    h.masks = torch::where(present, h.masks, torch::full_like(h.masks, -1024.0));
    selectBest(h);
    return h;
}

}  // namespace samtok::model
