#pragma once
// The SAMTok tokenizer as the rest of the program uses it. No LibTorch types:
// UI and CLI code include this header.
//
// An image is embedded once (backbone, FPN, high-resolution features); masks
// are then encoded to two codes, codes decoded to masks, and click / box
// prompts segmented, all against that cached embedding.
#include "model/ModelConfig.h"
#include "tokens/TokenPair.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samtok::model {

struct RgbImageView {
    const std::uint8_t* data = nullptr;  // interleaved RGB, 8 bits
    int width = 0;
    int height = 0;
    std::size_t stride = 0;  // bytes per row
};

struct MaskView {
    const std::uint8_t* data = nullptr;  // row-major, non-zero = foreground
    int width = 0;
    int height = 0;
};

using samtok::MissingCodeRule;
using samtok::TokenPair;

struct DecodedMask {
    int width = 0, height = 0;
    std::vector<std::uint8_t> mask;  // 0/1 at the original size
    float predictedIou = 0;
    float objectScore = 0;  // logit
};

struct DecodedCandidates {
    std::vector<DecodedMask> masks;
    int returned = 0;  // index of the one decode() returns
};

struct PromptPoint {
    float x = 0, y = 0;  // original image pixels
    bool positive = true;
};

struct Prompt {
    std::vector<PromptPoint> points;
    std::optional<std::array<float, 4>> box;  // x1, y1, x2, y2 in original pixels
    std::vector<float> previousLowRes;        // logits of an earlier candidate, lowResSize^2, or empty
    bool multimask = true;
};

struct Candidate {
    DecodedMask mask;
    std::vector<float> lowResLogits;  // to refine with more clicks
    int lowResSize = 0;
};

class ImageEmbedding {
public:
    virtual ~ImageEmbedding() = default;
    virtual int width() const = 0;  // original image size
    virtual int height() const = 0;
    virtual std::size_t bytes() const = 0;
};

// Arithmetic of the networks. The codebooks, the prompt coordinates' Fourier
// features and the final resize stay in float32 either way.
enum class Precision { Float32, BFloat16 };
Precision parsePrecision(const std::string& name);  // "fp32" or "bf16"; throws std::invalid_argument
std::string precisionName(Precision p);

struct TokenizerInfo {
    std::string checkpoint;
    std::string format;
    std::size_t parameters = 0;
    std::string loadSummary;
    bool canTokenize = false;  // a mask encoder and codebooks were loaded
    bool canPrompt = false;    // a mask decoder was loaded
    std::string device;
    std::string precision = "fp32";
};

class Tokenizer {
public:
    // checkpoint: a SAMTok tokenizer (.pth, or our .safetensors) for tokens, or
    // a SAM2 checkpoint (.pt) for prompts only. promptCheckpoint, when given,
    // supplies the original SAM2 decoder for click / box prompts.
    // bf16 is meant for GPUs; on a CPU it works, but LibTorch 1.13 runs it slower than fp32.
    static std::unique_ptr<Tokenizer> load(const ModelConfig& config, const std::string& checkpoint,
                                           const std::string& promptCheckpoint = {}, const std::string& device = "cpu",
                                           Precision precision = Precision::Float32);
    // Randomly initialised weights: for benchmarks and tests of speed and memory only.
    static std::unique_ptr<Tokenizer> untrained(const ModelConfig& config, const std::string& device = "cpu",
                                                Precision precision = Precision::Float32);
    virtual ~Tokenizer() = default;

    virtual const ModelConfig& config() const = 0;
    virtual const TokenizerInfo& info() const = 0;

    virtual std::shared_ptr<const ImageEmbedding> embed(const RgbImageView& image) const = 0;
    // The quantizer's codes for each mask, as the official SAMTok writes them.
    virtual std::vector<TokenPair> encode(const ImageEmbedding& image, const std::vector<MaskView>& masks) const = 0;
    // Codes chosen by decoding: the `width` first codes nearest to each mask's
    // latent, each with the `width` second codes nearest to its residual, are
    // decoded, and the pair whose mask has the highest IoU with the input mask is
    // kept. The quantizer's pair is among them and wins ties, so the result
    // reconstructs the mask at least as well as encode() on this decoder (width 1
    // is encode()); it costs width^2 decodes a mask. 1 <= width <= codebook size.
    virtual std::vector<TokenPair> encodeSearched(const ImageEmbedding& image, const std::vector<MaskView>& masks,
                                                  int width) const = 0;
    virtual std::vector<DecodedMask> decode(const ImageEmbedding& image, const std::vector<TokenPair>& codes,
                                            MissingCodeRule rule = MissingCodeRule::AsCodeZero) const = 0;
    // Every candidate mask the decoder makes for one code pair, in its order
    // (the multimask outputs), each with its predicted IoU, and which of them
    // decode() returns (the one its IoU head ranks first): to see whether a bad
    // reconstruction is a bad pair or a bad choice.
    virtual DecodedCandidates decodeCandidates(const ImageEmbedding& image, const TokenPair& code,
                                               MissingCodeRule rule = MissingCodeRule::AsCodeZero) const = 0;
    virtual std::vector<Candidate> segment(const ImageEmbedding& image, const Prompt& prompt) const = 0;
};

// Recognises which checkpoint a file is, from its tensor names and shapes,
// and picks the built-in config that fits (official files need none).
ModelConfig detectConfig(const std::string& checkpoint);

}  // namespace samtok::model
