#include "model/nn/Layers.h"

namespace samtok::model {

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps) : eps_(eps) {
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
    // Same maths as the reference's mean / biased variance over channels, in one
    // fused kernel over the channels-last view instead of eight elementwise passes.
    return torch::layer_norm(x.permute({0, 2, 3, 1}), {x.size(1)}, weight, bias, eps_).permute({0, 3, 1, 2});
}

torch::Tensor LayerNorm2dImpl::forwardChannelsLast(const torch::Tensor& x) {
    return torch::layer_norm(x, {x.size(-1)}, weight, bias, eps_);
}

MlpImpl::MlpImpl(int64_t in, int64_t hidden, int64_t out, int numLayers, Activation act, bool sigmoidOutput)
    : act_(act), sigmoid_(sigmoidOutput) {
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < numLayers; ++i) {
        const int64_t a = i == 0 ? in : hidden;
        const int64_t b = i == numLayers - 1 ? out : hidden;
        layers_->push_back(torch::nn::Linear(a, b));
    }
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
    const auto n = layers_->size();
    for (std::size_t i = 0; i < n; ++i) {
        x = layers_[i]->as<torch::nn::Linear>()->forward(x);
        if (i + 1 < n) x = act_ == Activation::ReLU ? torch::relu(x) : torch::gelu(x);
    }
    return sigmoid_ ? torch::sigmoid(x) : x;
}

torch::Tensor matmulSummedInFloat(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.scalar_type() != torch::kBFloat16 || !a.device().is_cpu()) return torch::matmul(a, b);
    return torch::matmul(a.to(torch::kFloat32), b.to(torch::kFloat32)).to(torch::kBFloat16);
}

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    // See matmulSummedInFloat: in bf16 on a CPU the whole attention runs in float32,
    // converting q, k and v once rather than v again for every chunk of queries.
    if (q.scalar_type() == torch::kBFloat16 && q.device().is_cpu())
        return scaledDotProductAttention(q.to(torch::kFloat32), k.to(torch::kFloat32), v.to(torch::kFloat32))
            .to(torch::kBFloat16);
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    const auto kt = k.transpose(-2, -1);
    // Global attention over 64x64 tokens would build an 8 x 4096 x 4096 score matrix
    // (512 MB for Hiera-L). Rows of a softmax are independent, so process queries
    // in chunks that bound the scores to about 16 MB; results are identical.
    const int64_t rows = q.size(-2), cols = k.size(-2);
    const int64_t perRow = cols * (q.numel() / std::max<int64_t>(1, rows * q.size(-1)));
    const int64_t chunk = std::max<int64_t>(1, (int64_t{4} << 20) / std::max<int64_t>(1, perRow));
    if (chunk >= rows) return torch::matmul(torch::softmax(torch::matmul(q * scale, kt), -1), v);
    std::vector<torch::Tensor> parts;
    for (int64_t r = 0; r < rows; r += chunk) {
        const auto qc = q.slice(-2, r, std::min(rows, r + chunk));
        parts.push_back(torch::matmul(torch::softmax(torch::matmul(qc * scale, kt), -1), v));
    }
    return torch::cat(parts, -2);
}

torch::Tensor convTranspose2x2Rows(const torch::Tensor& rows, const torch::Tensor& weight, const torch::Tensor& bias) {
    const int64_t in = weight.size(0), out = weight.size(1);
    // Columns ordered (di, dj, out), so that each input row's four output pixels
    // are consecutive rows of the result.
    const auto w = weight.permute({0, 2, 3, 1}).reshape({in, 4 * out});
    return torch::addmm(bias.repeat({4}), rows.reshape({-1, in}), w).view({-1, out});
}

EmbeddingWeightImpl::EmbeddingWeightImpl(int64_t rows, int64_t dim) {
    // N(0, 1) as nn.Embedding: zero rows would make every prompt label and
    // mask token look alike to a model trained from scratch.
    weight = register_parameter("weight", torch::randn({rows, dim}));
}

}  // namespace samtok::model
