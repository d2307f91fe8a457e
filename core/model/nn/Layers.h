#pragma once
// Building blocks shared by the SAM2 modules. Internal to the model code:
// only model .cpp files include this (it pulls in LibTorch).
#include <torch/torch.h>

namespace samtok::model {

// LayerNorm over the channel dim of an NCHW tensor (SAM's LayerNorm2d, eps 1e-6).
class LayerNorm2dImpl : public torch::nn::Module {
public:
    explicit LayerNorm2dImpl(int64_t channels, double eps = 1e-6);
    torch::Tensor forward(const torch::Tensor& x);              // (B, C, H, W)
    torch::Tensor forwardChannelsLast(const torch::Tensor& x);  // (..., C)

    torch::Tensor weight, bias;

private:
    double eps_;
};
TORCH_MODULE(LayerNorm2d);

// SAM's MLP: `layers.{i}` Linear layers with an activation between them.
class MlpImpl : public torch::nn::Module {
public:
    enum class Activation { ReLU, GELU };
    MlpImpl(int64_t in, int64_t hidden, int64_t out, int numLayers, Activation act = Activation::ReLU,
            bool sigmoidOutput = false);
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::ModuleList layers_;
    Activation act_;
    bool sigmoid_;
};
TORCH_MODULE(Mlp);

// a @ b with the products summed in float32, as GPUs and oneDNN always sum them.
// LibTorch 1.13's own CPU GEMM for bfloat16 (taken when oneDNN finds no AVX-512)
// sums straight into the bfloat16 result, so a sum over thousands of terms, such
// as attention over an image, drops its small terms: measured 23 % relative error
// after Hiera's global-attention stage of the golden micro model. Products that
// reduce over image positions use this (scaledDotProductAttention does the same
// for the whole attention); for any other type or device it is matmul.
torch::Tensor matmulSummedInFloat(const torch::Tensor& a, const torch::Tensor& b);

// softmax(q kᵀ / sqrt(d)) v over (B, heads, T, d), as F.scaled_dot_product_attention
// with no mask and no dropout.
torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// ConvTranspose2d with kernel 2, stride 2 (weight (in, out, 2, 2)) over pixels
// given as rows (N, in): each input pixel writes its own 2x2 output block, so
// the layer is one matrix product. Returns rows (N * 4, out) ordered (n, di, dj)
// for the output pixel at offset (di, dj) of input pixel n's block. LibTorch's
// CPU kernel for this is a slow im2col path (measured 30 ms per call on the
// decoder's 64x64x256 input), and keeping pixels as rows avoids the NCHW
// round trips (permuted copies) between the upscaling layers.
torch::Tensor convTranspose2x2Rows(const torch::Tensor& rows, const torch::Tensor& weight, const torch::Tensor& bias);

// A module holding one parameter called `weight` (nn.Embedding's name).
class EmbeddingWeightImpl : public torch::nn::Module {
public:
    EmbeddingWeightImpl(int64_t rows, int64_t dim);
    torch::Tensor weight;
};
TORCH_MODULE(EmbeddingWeight);

}  // namespace samtok::model
