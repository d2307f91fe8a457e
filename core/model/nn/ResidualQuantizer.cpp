#include "model/nn/ResidualQuantizer.h"

#include <algorithm>

namespace samtok::model {

VQEmbeddingImpl::VQEmbeddingImpl(int64_t codebookSize, int64_t dim) {
    weight = register_parameter("weight", torch::zeros({codebookSize + 1, dim}), /*requires_grad=*/false);
    clusterSizeEma = register_buffer("cluster_size_ema", torch::zeros({codebookSize}));
    embedEma = register_buffer("embed_ema", torch::zeros({codebookSize, dim}));
}

ResidualQuantizerImpl::ResidualQuantizerImpl(int64_t codebookSize, int64_t depth, int64_t dim)
    : codebookSize_(codebookSize) {
    auto list = register_module("codebooks", torch::nn::ModuleList());
    for (int64_t i = 0; i < depth; ++i) {
        codebooks_.push_back(VQEmbedding(codebookSize, dim));
        list->push_back(codebooks_.back());
    }
}

namespace {

// (B, C) x (K, C) -> (B, K) squared distances: |x|^2 + |c|^2 - 2 x c, as one addmm like the reference.
torch::Tensor squaredDistances(const torch::Tensor& x, const torch::Tensor& book) {
    return torch::addmm(x.pow(2).sum(1, true) + book.pow(2).sum(1).unsqueeze(0), x, book.t(), /*beta=*/1, /*alpha=*/-2);
}

}  // namespace

Quantized ResidualQuantizerImpl::quantize(const torch::Tensor& latent) {
    Quantized out;
    auto residual = latent.clone();
    auto sum = torch::zeros_like(latent);
    std::vector<torch::Tensor> codes;
    for (auto& cb : codebooks_) {
        const auto book = cb->weight.slice(0, 0, codebookSize_);  // padding row excluded
        auto dist = squaredDistances(residual, book);
        auto code = dist.argmin(1);
        auto row = book.index_select(0, code);
        residual = residual - row;
        sum = sum + row;
        codes.push_back(code);
        out.distances.push_back(dist);
    }
    out.codes = torch::stack(codes, 1);
    out.quantized = sum;
    return out;
}

torch::Tensor ResidualQuantizerImpl::nearestPairs(const torch::Tensor& latent, int64_t width) {
    TORCH_CHECK(codebooks_.size() == 2, "nearestPairs needs two codebooks");
    width = std::min(width, codebookSize_);
    const auto book0 = codebooks_[0]->weight.slice(0, 0, codebookSize_);
    const auto book1 = codebooks_[1]->weight.slice(0, 0, codebookSize_);
    const auto x = latent.view({1, -1});
    const auto first = std::get<1>(squaredDistances(x, book0).topk(width, 1, /*largest=*/false))[0];        // (w,)
    const auto residuals = x - book0.index_select(0, first);                                                // (w, C)
    const auto second = std::get<1>(squaredDistances(residuals, book1).topk(width, 1, /*largest=*/false));  // (w, w)
    return torch::stack({first.unsqueeze(1).expand({width, width}), second}, 2).reshape({-1, 2});
}

torch::Tensor ResidualQuantizerImpl::embedCodes(const torch::Tensor& codes, bool firstCodeOnly) {
    torch::Tensor sum;
    for (std::size_t level = 0; level < codebooks_.size(); ++level) {
        auto c = codes.select(1, static_cast<int64_t>(level));
        if (c.lt(-1).any().item<bool>() || c.ge(codebookSize_).any().item<bool>())
            throw std::invalid_argument("code out of range for codebook " + std::to_string(level) + " (0.." +
                                        std::to_string(codebookSize_ - 1) + ", or -1 for a missing code)");
        const auto missing = c.eq(-1);
        auto rows = codebooks_[level]->weight.index_select(0, c.clamp_min(0));
        if (firstCodeOnly) rows = rows * missing.logical_not().unsqueeze(1).to(rows.dtype());
        sum = sum.defined() ? sum + rows : rows;
    }
    return sum;
}

}  // namespace samtok::model
