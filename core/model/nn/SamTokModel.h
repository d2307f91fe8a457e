#pragma once
// The whole SAMTok tokenizer (VQ_SAM2) as one module tree whose parameter
// names are exactly the official checkpoint keys:
//   model.sam2_model.{image_encoder.{trunk,neck}, sam_prompt_encoder,
//                     sam_mask_decoder, sam_mask_encoder, no_mem_embed}
//   quantizer.codebooks.{0,1}
// Internal to the model code (LibTorch types).
#include "model/ModelConfig.h"
#include "model/nn/FpnNeck.h"
#include "model/nn/Hiera.h"
#include "model/nn/MaskDecoder.h"
#include "model/nn/MaskEncoder.h"
#include "model/nn/PromptEncoder.h"
#include "model/nn/ResidualQuantizer.h"

#include <optional>

namespace samtok::model {

// What the heads read from one image, computed once and reused.
struct ImageFeatures {
    torch::Tensor embedding;  // (1, C, e, e): FPN stride-16 level + no_mem_embed
    torch::Tensor featS0;     // (1, C/8, 4e, 4e) = conv_s0(FPN level 0)
    torch::Tensor featS1;     // (1, C/4, 2e, 2e) = conv_s1(FPN level 1)
    torch::Tensor densePe;    // (1, C, e, e) the prompt encoder's grid encoding (image-independent; kept here so
                              // each decode does not recompute it)
    std::vector<torch::Tensor> trunk;  // stage outputs (kept only when asked, for parity checks)
    std::vector<torch::Tensor> neck;
    // For inference: the decoder's image side with no mask prompt, made once by
    // SamTokModel::prepareDecoder and reused by every decode and click on this
    // image. Once it is here featS0 and featS1 may be dropped.
    std::optional<DecoderImage> prepared;
    const MaskDecoderImpl* preparedFor = nullptr;
};

struct HeadOutput {
    torch::Tensor masks;        // (B, M, 4e, 4e) logits of the returned mask tokens
    torch::Tensor iou;          // (B, M)
    torch::Tensor best;         // (B,) index into M of the highest predicted IoU
    torch::Tensor bestMask;     // (B, 1, 4e, 4e)
    torch::Tensor objectScore;  // (B, 1)
    torch::Tensor sparse;       // (B, N, C) the sparse prompt the decoder saw
};

class Sam2BaseImpl : public torch::nn::Module {
public:
    explicit Sam2BaseImpl(const ModelConfig& c);
    Hiera trunk{nullptr};
    FpnNeck neck{nullptr};
    PromptEncoder promptEncoder{nullptr};
    MaskDecoder maskDecoder{nullptr};
    MaskEncoder maskEncoder{nullptr};
    torch::Tensor noMemEmbed;
};
TORCH_MODULE(Sam2Base);

class SamTokModelImpl : public torch::nn::Module {
public:
    explicit SamTokModelImpl(ModelConfig c);
    const ModelConfig& config() const { return config_; }

    // pixels: (1, 3, S, S) normalised.
    ImageFeatures embedImage(const torch::Tensor& pixels, bool keepIntermediates = false);

    // masks: (B, 1, H0, W0) float {0,1} at the original size; boxes (B, 4) x1,y1,x2,y2
    // in original pixels (inclusive). Returns the continuous latent (B, C).
    torch::Tensor encodeLatent(const ImageFeatures& f, const torch::Tensor& masks, const torch::Tensor& boxes);
    // zq (B, C): one extra sparse token after two padding tokens; multimask, best by IoU, no object gating.
    HeadOutput decodeLatent(const ImageFeatures& f, const torch::Tensor& zq);
    // SAM2 prompt path. points (1, N, 2) in S-pixel coordinates with labels (1, N)
    // (a box as two points labelled 2, 3); maskInput (1, 1, 4e, 4e) logits or undefined.
    // `decoder` replaces the tokenizer's (fine-tuned) decoder, e.g. the original SAM2 one;
    // f's high-resolution features must then come from that decoder's convs.
    HeadOutput segment(const ImageFeatures& f, const torch::Tensor& points, const torch::Tensor& labels,
                       const torch::Tensor& maskInput, bool multimask, MaskDecoder decoder = nullptr);
    // Prepares f for `decoder` (the tokenizer's own when null; f's high-resolution
    // features must be that decoder's) so that decodes and clicks skip the image side.
    void prepareDecoder(ImageFeatures& f, MaskDecoder decoder = nullptr);

    Sam2Base sam2{nullptr};
    ResidualQuantizer quantizer{nullptr};

private:
    // maskDense: the dense embedding of a mask prompt, or undefined for none (no_mask_embed).
    HeadOutput runDecoder(MaskDecoder& decoder, const ImageFeatures& f, const torch::Tensor& sparse,
                          const torch::Tensor& maskDense, bool multimask);
    static void selectBest(HeadOutput& h);  // best = argmax IoU, bestMask = that mask
    ModelConfig config_;
};
TORCH_MODULE(SamTokModel);

// Tensors present in both official files that neither the tokenizer nor the
// prompt path reads (memory attention and encoder, object pointers, ...).
bool isUnusedBySamTok(const std::string& checkpointName);

}  // namespace samtok::model
