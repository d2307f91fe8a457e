#include "model/Layers.h"

namespace samtok::model {

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps) : eps_(eps) {
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
    const auto u = x.mean(1, /*keepdim=*/true);
    const auto s = (x - u).pow(2).mean(1, true);
    const auto n = (x - u) / torch::sqrt(s + eps_);
    return weight.view({1, -1, 1, 1}) * n + bias.view({1, -1, 1, 1});
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

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    auto attn = torch::matmul(q * scale, k.transpose(-2, -1));
    return torch::matmul(torch::softmax(attn, -1), v);
}

EmbeddingWeightImpl::EmbeddingWeightImpl(int64_t rows, int64_t dim) {
    weight = register_parameter("weight", torch::zeros({rows, dim}));
}

}  // namespace samtok::model
