#include "model/ModelConfig.h"

#include "util/JsonNumber.h"

#include <climits>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <type_traits>

namespace samtok::model {

using nlohmann::json;

std::vector<int> ModelConfig::backboneChannels() const {
    // Truncated at each stage change, as the trunk computes its widths.
    std::vector<int> widths;
    long long dim = trunk.embedDim;
    for (std::size_t s = 0; s < trunk.stages.size(); ++s) {
        widths.push_back(static_cast<int>(dim));
        dim = static_cast<long long>(static_cast<double>(dim) * trunk.dimMul);
    }
    return {widths.rbegin(), widths.rend()};
}

void ModelConfig::validate() const {
    // A config also arrives in a model file's metadata, so it is checked as
    // hostile input: every size the networks divide by or allocate from is
    // bounded here, before any module is built.
    auto require = [](bool ok, const std::string& what) {
        if (!ok) throw std::invalid_argument("model config: " + what);
    };
    auto within = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
    require(backboneStride == 16, "backbone_stride must be 16 (the FPN level SAM heads read)");
    require(imageSize > 0 && imageSize <= 4096 && imageSize % backboneStride == 0,
            "image_size must be a multiple of the backbone stride, at most 4096");
    for (int i = 0; i < 3; ++i)
        require(within(pixelMean[i], -1e3, 1e3) && within(pixelStd[i], 1e-6, 1e3),
                "preprocess mean and std must be finite, std positive");
    require(std::isfinite(maskThreshold), "mask_threshold must be finite");

    require(trunk.stages.size() == 4 && trunk.windowSpec.size() == 4, "the trunk needs 4 stages and 4 window sizes");
    int depth = 0;
    for (int s : trunk.stages) {
        require(s >= 1 && s <= 128, "each trunk stage needs 1..128 blocks");
        depth += s;
    }
    for (int b : trunk.globalAttBlocks) require(b >= 0 && b < depth, "global_att_blocks must name blocks of the trunk");
    for (int w : trunk.windowSpec) require(w >= 1 && w <= 1024, "window_spec sizes must be 1..1024");
    require(trunk.qPool >= 0 && trunk.qPool <= 3, "q_pool must be 0..3");
    require(trunk.qStride >= 1 && trunk.qStride <= 4, "q_stride must be 1..4");
    int poolFactor = 1;
    for (int s = 0; s < trunk.qPool; ++s) {
        // The first block of the next stage pools the previous stage's window.
        require(trunk.windowSpec[static_cast<std::size_t>(s)] % trunk.qStride == 0,
                "the windows of the stages before a q-pool must be multiples of q_stride");
        poolFactor *= trunk.qStride;
    }
    require((imageSize / 4) % poolFactor == 0, "image_size / 4 must divide by the trunk's pooling (q_stride ^ q_pool)");
    require((imageSize / 4) % trunk.windowSpec[0] == 0, "image_size / 4 must be a multiple of window_spec[0]");
    require(trunk.windowPosEmbedBkgSpatialSize[0] >= 1 && trunk.windowPosEmbedBkgSpatialSize[0] <= 256 &&
                trunk.windowPosEmbedBkgSpatialSize[1] >= 1 && trunk.windowPosEmbedBkgSpatialSize[1] <= 256,
            "window_pos_embed_bkg_spatial_size must be 1..256");
    require(within(trunk.dimMul, 1, 4) && within(trunk.headMul, 1, 4) && within(trunk.mlpRatio, 0.25, 16),
            "dim_mul and head_mul must be 1..4, mlp_ratio 0.25..16");
    require(trunk.embedDim > 0 && trunk.embedDim <= 4096 && trunk.numHeads > 0 && trunk.numHeads <= 64,
            "embed_dim must be 1..4096 and num_heads 1..64");
    double dim = trunk.embedDim, heads = trunk.numHeads, trunkWeights = 0;
    for (std::size_t s = 0; s < trunk.stages.size(); ++s) {
        if (s > 0) {
            // As the trunk computes them: truncated products.
            dim = static_cast<double>(static_cast<long long>(dim * trunk.dimMul));
            heads = static_cast<double>(static_cast<long long>(heads * trunk.headMul));
        }
        require(dim <= 16384 && heads <= 1024 && std::fmod(dim, heads) == 0,
                "each trunk stage's width must divide by its heads (embed_dim, num_heads, dim_mul, head_mul)");
        // Each size is bounded above; so is their product: the blocks' weights, built before any is read.
        trunkWeights += static_cast<double>(trunk.stages[s]) * (4 + 2 * trunk.mlpRatio) * dim * dim;
    }
    require(trunkWeights <= 2e9, "the trunk would hold over 2 billion weights");

    require(dModel > 0 && dModel <= 4096 && dModel % 8 == 0, "d_model must be a multiple of 8, at most 4096");
    for (int level : fpnTopDownLevels) require(level >= 0 && level <= 3, "fpn_top_down_levels must be 0..3");
    require(fpnTopDownLevels.size() <= 4, "fpn_top_down_levels names at most 4 levels");
    require(scalp == 1, "scalp must be 1");
    for (const auto* t : {&decoder, &maskEncoder}) {
        const char* which = t == &decoder ? "mask_decoder" : "mask_encoder";
        require(t->depth >= 1 && t->depth <= 32 && t->mlpDim >= 1 && t->mlpDim <= 65536,
                std::string(which) + ": depth must be 1..32 and mlp_dim 1..65536");
        require(t->numHeads >= 1 && t->attentionDownsampleRate >= 1 && dModel % t->attentionDownsampleRate == 0 &&
                    (dModel / t->attentionDownsampleRate) % t->numHeads == 0 && dModel % t->numHeads == 0,
                std::string(which) + ": d_model, and d_model / attention_downsample_rate, must divide by the heads");
    }
    require(numMultimaskOutputs >= 1 && numMultimaskOutputs <= 8, "num_multimask_outputs must be 1..8");
    require(iouHeadDepth >= 1 && iouHeadDepth <= 16 && iouHeadHiddenDim >= 1 && iouHeadHiddenDim <= 4096,
            "iou_head_depth must be 1..16 and iou_head_hidden_dim 1..4096");
    require(codebookSize > 0 && codebookSize <= 5000,
            "codebook_size must be 1..5000 (both levels' token ids must fit the 4-digit <|mt_dddd|> form)");
    require(codebookDepth == 2, "codebook_depth must be 2 (two tokens per mask)");
    require(latentDim == dModel && numMaskTokens == 1, "latent_dim must equal d_model with one mask token");
    require(maskInChans % 4 == 0 && maskInChans > 0 && maskInChans <= 1024,
            "mask_in_chans must be a positive multiple of 4, at most 1024");
}

namespace {

ModelConfig sam21(const std::string& name, int embed, int heads, std::vector<int> stages, std::vector<int> global,
                  std::array<int, 2> bkg, std::vector<int> window) {
    ModelConfig c;
    c.name = name;
    c.trunk.embedDim = embed;
    c.trunk.numHeads = heads;
    c.trunk.stages = std::move(stages);
    c.trunk.globalAttBlocks = std::move(global);
    c.trunk.windowPosEmbedBkgSpatialSize = bkg;
    c.trunk.windowSpec = std::move(window);
    return c;
}

}  // namespace

std::vector<std::string> builtinConfigNames() {
    return {"sam2.1_hiera_tiny", "sam2.1_hiera_small", "sam2.1_hiera_base_plus", "sam2.1_hiera_large"};
}

ModelConfig builtinConfig(const std::string& name) {
    // sam2/configs/sam2.1/*.yaml; Hiera defaults where the yaml omits a field.
    if (name == "sam2.1_hiera_tiny") return sam21(name, 96, 1, {1, 2, 7, 2}, {5, 7, 9}, {7, 7}, {8, 4, 14, 7});
    if (name == "sam2.1_hiera_small") return sam21(name, 96, 1, {1, 2, 11, 2}, {7, 10, 13}, {7, 7}, {8, 4, 14, 7});
    if (name == "sam2.1_hiera_base_plus")
        return sam21(name, 112, 2, {2, 3, 16, 3}, {12, 16, 20}, {14, 14}, {8, 4, 14, 7});
    if (name == "sam2.1_hiera_large") return sam21(name, 144, 2, {2, 6, 36, 4}, {23, 33, 43}, {7, 7}, {8, 4, 16, 8});
    std::string known;
    for (const auto& n : builtinConfigNames()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("no built-in model config '" + name + "' (known: " + known + ")");
}

namespace {

int toInt(const json& v, const char* key) {
    if (const auto n = wholeNumberIn(v, INT32_MIN, INT32_MAX)) return static_cast<int>(*n);
    throw std::invalid_argument(std::string("'") + key + "' must be an integer, not " + v.dump());
}

template <typename T>
void read(const json& j, const char* key, T& out) {
    if (!j.contains(key)) return;
    const json& v = j.at(key);
    if constexpr (std::is_same_v<T, int>) {
        out = toInt(v, key);
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
        if (!v.is_array()) throw std::invalid_argument(std::string("'") + key + "' must be a list of integers");
        out.clear();
        for (const json& e : v) out.push_back(toInt(e, key));
    } else if constexpr (std::is_same_v<T, std::array<float, 3>>) {
        if (!v.is_array() || v.size() != 3)
            throw std::invalid_argument(std::string("'") + key + "' must be three numbers");
        for (std::size_t i = 0; i < 3; ++i) {
            const double d = v[i].get<double>();
            if (!std::isfinite(d) || std::abs(d) > 1e6)
                throw std::invalid_argument(std::string("'") + key + "' must hold finite numbers");
            out[i] = static_cast<float>(d);
        }
    } else if constexpr (std::is_same_v<T, std::array<int, 2>>) {
        if (!v.is_array() || v.size() != 2)
            throw std::invalid_argument(std::string("'") + key + "' must be two integers");
        out = {toInt(v[0], key), toInt(v[1], key)};
    } else {
        out = v.get<T>();
    }
}

void readTwoWay(const json& j, TwoWayConfig& t) {
    read(j, "depth", t.depth);
    read(j, "mlp_dim", t.mlpDim);
    read(j, "num_heads", t.numHeads);
    read(j, "attention_downsample_rate", t.attentionDownsampleRate);
}

json twoWayJson(const TwoWayConfig& t) {
    return {{"depth", t.depth},
            {"mlp_dim", t.mlpDim},
            {"num_heads", t.numHeads},
            {"attention_downsample_rate", t.attentionDownsampleRate}};
}

}  // namespace

ModelConfig configFromJson(const std::string& text) {
    ModelConfig c;
    try {
        const json j = json::parse(text);
        if (j.contains("base")) c = builtinConfig(j.at("base").get<std::string>());
        read(j, "name", c.name);
        read(j, "image_size", c.imageSize);
        if (j.contains("preprocess")) {
            read(j["preprocess"], "mean", c.pixelMean);
            read(j["preprocess"], "std", c.pixelStd);
        }
        if (j.contains("image_encoder")) {
            const json& e = j["image_encoder"];
            read(e, "embed_dim", c.trunk.embedDim);
            read(e, "num_heads", c.trunk.numHeads);
            read(e, "stages", c.trunk.stages);
            read(e, "global_att_blocks", c.trunk.globalAttBlocks);
            read(e, "window_spec", c.trunk.windowSpec);
            read(e, "window_pos_embed_bkg_spatial_size", c.trunk.windowPosEmbedBkgSpatialSize);
            read(e, "q_pool", c.trunk.qPool);
            read(e, "q_stride", c.trunk.qStride);
            read(e, "dim_mul", c.trunk.dimMul);
            read(e, "head_mul", c.trunk.headMul);
            read(e, "mlp_ratio", c.trunk.mlpRatio);
            read(e, "d_model", c.dModel);
            read(e, "fpn_top_down_levels", c.fpnTopDownLevels);
            read(e, "scalp", c.scalp);
        }
        if (j.contains("prompt_encoder")) read(j["prompt_encoder"], "mask_in_chans", c.maskInChans);
        if (j.contains("mask_decoder")) {
            const json& d = j["mask_decoder"];
            readTwoWay(d, c.decoder);
            read(d, "num_multimask_outputs", c.numMultimaskOutputs);
            read(d, "iou_head_depth", c.iouHeadDepth);
            read(d, "iou_head_hidden_dim", c.iouHeadHiddenDim);
        }
        if (j.contains("mask_encoder")) {
            readTwoWay(j["mask_encoder"], c.maskEncoder);
            read(j["mask_encoder"], "num_mask_tokens", c.numMaskTokens);
        }
        if (j.contains("quantizer")) {
            read(j["quantizer"], "codebook_size", c.codebookSize);
            read(j["quantizer"], "codebook_depth", c.codebookDepth);
            read(j["quantizer"], "latent_dim", c.latentDim);
        }
        read(j, "mask_threshold", c.maskThreshold);
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("model config: ") + e.what());
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("model config: ") + e.what());
    }
    c.validate();
    return c;
}

std::string configToJson(const ModelConfig& c) {
    json j{{"name", c.name},
           {"image_size", c.imageSize},
           {"preprocess", {{"mean", c.pixelMean}, {"std", c.pixelStd}}},
           {"image_encoder",
            {{"embed_dim", c.trunk.embedDim},
             {"num_heads", c.trunk.numHeads},
             {"stages", c.trunk.stages},
             {"global_att_blocks", c.trunk.globalAttBlocks},
             {"window_spec", c.trunk.windowSpec},
             {"window_pos_embed_bkg_spatial_size", c.trunk.windowPosEmbedBkgSpatialSize},
             {"q_pool", c.trunk.qPool},
             {"q_stride", c.trunk.qStride},
             {"dim_mul", c.trunk.dimMul},
             {"head_mul", c.trunk.headMul},
             {"mlp_ratio", c.trunk.mlpRatio},
             {"d_model", c.dModel},
             {"fpn_top_down_levels", c.fpnTopDownLevels},
             {"scalp", c.scalp}}},
           {"prompt_encoder", {{"mask_in_chans", c.maskInChans}}},
           {"mask_decoder", twoWayJson(c.decoder)},
           {"mask_encoder", twoWayJson(c.maskEncoder)},
           {"quantizer",
            {{"codebook_size", c.codebookSize}, {"codebook_depth", c.codebookDepth}, {"latent_dim", c.latentDim}}},
           {"mask_threshold", c.maskThreshold}};
    j["mask_decoder"]["num_multimask_outputs"] = c.numMultimaskOutputs;
    j["mask_decoder"]["iou_head_depth"] = c.iouHeadDepth;
    j["mask_decoder"]["iou_head_hidden_dim"] = c.iouHeadHiddenDim;
    j["mask_encoder"]["num_mask_tokens"] = c.numMaskTokens;
    return j.dump(2);
}

}  // namespace samtok::model
