#pragma once
// SAM's prompt encoder: random-Fourier position encoding, point / box corner
// embeddings, mask downscaling, and the no-mask embedding.
#include "model/nn/Layers.h"

namespace samtok::model {

class PositionEmbeddingRandomImpl : public torch::nn::Module {
public:
    explicit PositionEmbeddingRandomImpl(int64_t numPosFeats);
    torch::Tensor dense(int64_t h, int64_t w);  // (1, 2F, h, w), grid of cell centres
    // coords (B, N, 2) in pixels of an image of `size` (x, y order) -> (B, N, 2F)
    torch::Tensor withCoords(const torch::Tensor& coords, int64_t size);
    torch::Tensor encode(const torch::Tensor& unitCoords);  // coords in [0,1]

private:
    torch::Tensor gaussian_;  // (2, F) buffer, loaded from the checkpoint
};
TORCH_MODULE(PositionEmbeddingRandom);

class PromptEncoderImpl : public torch::nn::Module {
public:
    PromptEncoderImpl(int64_t embedDim, int64_t embeddingSize, int64_t imageSize, int64_t maskInChans);

    // points (B, N, 2) in input-image pixels with labels (B, N): 0 negative,
    // 1 positive, 2/3 box corners, -1 padding. A padding point is appended when
    // `pad` (the reference does this whenever no box is given).
    torch::Tensor embedPoints(torch::Tensor points, torch::Tensor labels, bool pad);
    torch::Tensor embedMasks(const torch::Tensor& masks);  // (B, 1, 4e, 4e) -> (B, C, e, e)
    torch::Tensor noMaskDense(int64_t batch);              // (B, C, e, e)
    torch::Tensor denseImagePe();                          // (1, C, e, e)

private:
    int64_t embedDim_, embeddingSize_, imageSize_;
    PositionEmbeddingRandom pe_{nullptr};
    std::vector<EmbeddingWeight> pointEmbeddings_;
    EmbeddingWeight notAPoint_{nullptr}, noMask_{nullptr};
    torch::nn::Sequential maskDownscaling_{nullptr};
};
TORCH_MODULE(PromptEncoder);

}  // namespace samtok::model
