#pragma once
// SAMTok's two-level residual vector quantizer. Each codebook stores
// codebook_size + 1 rows; the last is padding and never selected.
#include "model/nn/Layers.h"

namespace samtok::model {

class VQEmbeddingImpl : public torch::nn::Module {
public:
    VQEmbeddingImpl(int64_t codebookSize, int64_t dim);
    torch::Tensor weight, clusterSizeEma, embedEma;  // training state kept for checkpoints
};
TORCH_MODULE(VQEmbedding);

struct Quantized {
    torch::Tensor codes;                   // (B, depth) int64, codebook-local
    torch::Tensor quantized;               // (B, C) sum of the selected rows
    std::vector<torch::Tensor> distances;  // per level (B, K)
};

class ResidualQuantizerImpl : public torch::nn::Module {
public:
    ResidualQuantizerImpl(int64_t codebookSize, int64_t depth, int64_t dim);
    Quantized quantize(const torch::Tensor& latent);  // (B, C)
    // codes (B, depth); an entry of -1 reads as code 0 (the official embed_code
    // aliasing) unless firstCodeOnly, which drops invalid levels instead.
    torch::Tensor embedCodes(const torch::Tensor& codes, bool firstCodeOnly = false);
    // latent (C,) -> (width^2, 2): the `width` first codes nearest to the latent,
    // each followed by the `width` second codes nearest to the residual it
    // leaves, nearest first. Two levels only (as SAMTok).
    torch::Tensor nearestPairs(const torch::Tensor& latent, int64_t width);
    int64_t codebookSize() const { return codebookSize_; }
    std::vector<VQEmbedding>& codebooks() { return codebooks_; }  // the trainer's EMA updates

private:
    int64_t codebookSize_;
    std::vector<VQEmbedding> codebooks_;
};
TORCH_MODULE(ResidualQuantizer);

}  // namespace samtok::model
