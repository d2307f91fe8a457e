#pragma once
// Every size and switch of a SAM2 + SAMTok model, in our own JSON schema.
// Built-in configs cover SAM 2.1 hiera tiny / small / base+ / large as SAMTok
// builds them; the golden "micro" config is read from JSON like any other.
// No LibTorch here.
#include <array>
#include <string>
#include <vector>

namespace samtok::model {

struct HieraConfig {
    int embedDim = 144;
    int numHeads = 2;
    std::vector<int> stages{2, 6, 36, 4};
    std::vector<int> globalAttBlocks{23, 33, 43};
    std::vector<int> windowSpec{8, 4, 16, 8};
    std::array<int, 2> windowPosEmbedBkgSpatialSize{7, 7};
    int qPool = 3;
    int qStride = 2;
    double dimMul = 2.0;
    double headMul = 2.0;
    double mlpRatio = 4.0;
};

struct TwoWayConfig {
    int depth = 2;
    int mlpDim = 2048;
    int numHeads = 8;
    int attentionDownsampleRate = 2;
};

struct ModelConfig {
    std::string name = "sam2.1_hiera_large";
    int imageSize = 1024;
    int backboneStride = 16;
    std::array<float, 3> pixelMean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> pixelStd{0.229f, 0.224f, 0.225f};

    HieraConfig trunk;
    int dModel = 256;  // neck and all SAM heads
    std::vector<int> fpnTopDownLevels{2, 3};
    int scalp = 1;

    int maskInChans = 16;  // prompt encoder mask downscaling
    TwoWayConfig decoder;  // SAM2 mask decoder transformer
    int numMultimaskOutputs = 3;
    int iouHeadDepth = 3;
    int iouHeadHiddenDim = 256;

    TwoWayConfig maskEncoder;  // SAMTok's mask encoder transformer
    int numMaskTokens = 1;

    int codebookSize = 256;
    int codebookDepth = 2;
    int latentDim = 256;

    double maskThreshold = 0.5;  // on decoded logits (SAMTok's rule, not SAM's 0)

    int embeddingSize() const { return imageSize / backboneStride; }  // 64 at 1024 px
    int lowResMaskSize() const { return embeddingSize() * 4; }        // 256 at 1024 px
    // Trunk stage widths, low to high resolution (= the neck's backbone_channel_list).
    std::vector<int> backboneChannels() const;

    // Throws std::invalid_argument naming the first inconsistent field.
    void validate() const;
};

// "sam2.1_hiera_tiny", "sam2.1_hiera_small", "sam2.1_hiera_base_plus", "sam2.1_hiera_large".
ModelConfig builtinConfig(const std::string& name);
std::vector<std::string> builtinConfigNames();

ModelConfig configFromJson(const std::string& jsonText);  // throws std::invalid_argument
std::string configToJson(const ModelConfig& c);

}  // namespace samtok::model
