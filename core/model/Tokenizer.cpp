#include "model/Tokenizer.h"

#include "checkpoint/Checkpoint.h"
#include "checkpoint/CheckpointError.h"
#include "model/MaskUpsample.h"
#include "model/nn/PillowResize.h"
#include "model/nn/SamTokModel.h"
#include "model/nn/WeightLoader.h"
#include "util/Error.h"

#include <algorithm>
#include <stdexcept>

namespace samtok::model {
namespace F = torch::nn::functional;

namespace {

constexpr const char* kSam2Prefix = "model.sam2_model.";
constexpr std::size_t kMaxBatch = 4;  // masks per encoder / decoder pass

bool startsWith(const std::string& s, const std::string& p) {
    return s.rfind(p, 0) == 0;
}

torch::Device parseDevice(const std::string& name) {
    torch::Device d(torch::kCPU);
    try {
        d = torch::Device(name);
    } catch (const c10::Error&) {
        throw std::invalid_argument("unknown device '" + name + "' (use cpu, cuda or cuda:N)");
    }
    if (d.is_cuda() && !torch::cuda::is_available())
        throw std::invalid_argument("device '" + name +
                                    "' requested, but this LibTorch build has no CUDA or no GPU is visible");
    return d;
}

bool isSam2File(const checkpoint::Checkpoint& c) {
    return c.tensors().count("image_encoder.trunk.pos_embed") > 0;
}

std::size_t tensorBytes(const torch::Tensor& t) {
    return t.defined() ? static_cast<std::size_t>(t.numel()) * t.element_size() : 0;
}

// What one image keeps: the embedding, and per decoder its prepared image side
// (which holds that decoder's high-resolution features).
struct Embedding : ImageEmbedding {
    ImageFeatures features;        // the tokenizer's decoder
    ImageFeatures promptFeatures;  // the SAM2 prompt decoder's, when one is loaded (shares the embedding)
    int w = 0, h = 0;
    int width() const override { return w; }
    int height() const override { return h; }
    std::size_t bytes() const override {
        std::size_t n = tensorBytes(features.embedding) + tensorBytes(features.densePe);
        for (const ImageFeatures* f : {&features, &promptFeatures})
            n += tensorBytes(f->featS0) + tensorBytes(f->featS1) + (f->prepared ? f->prepared->bytes() : 0);
        return n;
    }
};

class TokenizerImpl : public Tokenizer {
public:
    TokenizerImpl(const ModelConfig& config, const std::string& checkpointPath, const std::string& promptPath,
                  const std::string& device, Precision precision)
        : model_(config),
          device_(parseDevice(device)),
          dtype_(precision == Precision::BFloat16 ? torch::kBFloat16 : torch::kFloat32) {
        info_.precision = precisionName(precision);
        torch::NoGradGuard noGrad;
        model_->eval();
        info_.canPrompt = true;
        for (const auto& p : model_->parameters()) info_.parameters += static_cast<std::size_t>(p.numel());
        if (checkpointPath.empty()) {  // untrained(): keep the random initialisation
            info_.canTokenize = true;
            info_.loadSummary = "random weights (benchmark only)";
            place();
            return;
        }
        const auto file = checkpoint::Checkpoint::open(checkpointPath);
        LoadRules rules;
        rules.isIgnorable = isUnusedBySamTok;
        const bool sam2Only = isSam2File(file);
        if (sam2Only) {
            // A SAM2 .pt: no mask encoder, no codebooks. Prompts work, tokens do not.
            rules.addPrefix = kSam2Prefix;
            rules.mayBeMissing = [](const std::string& n) {
                return startsWith(n, std::string(kSam2Prefix) + "sam_mask_encoder.") || startsWith(n, "quantizer.");
            };
        }
        const LoadReport report = loadWeights(*model_, file, rules);
        info_.checkpoint = checkpointPath;
        info_.format = file.format();
        info_.loadSummary = report.summary();
        info_.canTokenize = !sam2Only;

        if (!promptPath.empty()) {
            const auto promptFile = checkpoint::Checkpoint::open(promptPath);
            if (!isSam2File(promptFile))
                throw checkpoint::CheckpointError("'" + promptPath +
                                                  "': not a SAM2 checkpoint (no image_encoder.trunk)");
            promptDecoder_ = MaskDecoder(config);
            promptDecoder_->eval();
            LoadRules pr;
            pr.addPrefix = "";
            pr.isIgnorable = [](const std::string& n) { return !startsWith(n, "sam_mask_decoder."); };
            // The decoder's own names lack the "sam_mask_decoder." prefix: load through a holder.
            auto holder = std::make_shared<torch::nn::Module>();
            holder->register_module("sam_mask_decoder", promptDecoder_);
            loadWeights(*holder, promptFile, pr);
            info_.loadSummary += "; prompt decoder from " + promptPath;
        }
        place();
    }

    const ModelConfig& config() const override { return model_->config(); }
    const TokenizerInfo& info() const override { return info_; }

    std::shared_ptr<const ImageEmbedding> embed(const RgbImageView& img) const override {
        if (!img.data || img.width <= 0 || img.height <= 0) throw std::invalid_argument("embed: empty image");
        torch::InferenceMode guard;
        const int s = config().imageSize;
        const auto resized = pillowResizeBicubic(img.data, img.width, img.height, 3, img.stride, s, s);
        auto t = torch::from_blob(const_cast<std::uint8_t*>(resized.data()), {s, s, 3}, torch::kUInt8)
                     .permute({2, 0, 1})
                     .to(torch::kFloat32)
                     .div(255.0);
        const auto& c = config();
        auto mean = torch::tensor({c.pixelMean[0], c.pixelMean[1], c.pixelMean[2]}).view({3, 1, 1});
        auto std = torch::tensor({c.pixelStd[0], c.pixelStd[1], c.pixelStd[2]}).view({3, 1, 1});
        auto pixels = ((t - mean) / std).unsqueeze(0).contiguous().to(device_, dtype_);
        auto e = std::make_shared<Embedding>();
        e->features = model_->embedImage(pixels, /*keepIntermediates=*/static_cast<bool>(promptDecoder_));
        e->w = img.width;
        e->h = img.height;
        if (promptDecoder_) {
            // The SAM2 decoder has its own (not fine-tuned) high-res convs over the same neck levels.
            ImageFeatures& p = e->promptFeatures;
            p.embedding = e->features.embedding;
            p.densePe = e->features.densePe;
            p.featS0 = promptDecoder_->convS0(e->features.neck[0]);
            p.featS1 = promptDecoder_->convS1(e->features.neck[1]);
            e->features.trunk.clear();
            e->features.neck.clear();
            model_->prepareDecoder(p, promptDecoder_);
            p.featS0 = p.featS1 = torch::Tensor();  // kept in the prepared image side
        }
        model_->prepareDecoder(e->features);
        e->features.featS0 = e->features.featS1 = torch::Tensor();
        return e;
    }

    std::vector<TokenPair> encode(const ImageEmbedding& image, const std::vector<MaskView>& masks) const override {
        return encodeSearched(image, masks, 1);
    }

    std::vector<TokenPair> encodeSearched(const ImageEmbedding& image, const std::vector<MaskView>& masks,
                                          int width) const override {
        if (!info_.canTokenize)
            throw UserError("this model has no mask encoder (a SAM2 checkpoint): load a SAMTok tokenizer");
        if (width < 1 || width > config().codebookSize)
            throw std::invalid_argument("encode: search width " + std::to_string(width) + " is not in 1.." +
                                        std::to_string(config().codebookSize));
        if (masks.empty()) return {};
        torch::InferenceMode guard;
        const auto& e = static_cast<const Embedding&>(image);
        std::vector<torch::Tensor> ms, boxes;
        for (const MaskView& m : masks) {
            if (m.width != e.w || m.height != e.h)
                throw std::invalid_argument("encode: a " + std::to_string(m.width) + "x" + std::to_string(m.height) +
                                            " mask for a " + std::to_string(e.w) + "x" + std::to_string(e.h) +
                                            " image");
            auto t = torch::from_blob(const_cast<std::uint8_t*>(m.data), {1, m.height, m.width}, torch::kUInt8).ne(0);
            ms.push_back(t.to(torch::kFloat32));
            boxes.push_back(boxOf(t[0]));
        }
        std::vector<TokenPair> out;
        // Each mask in a batch carries its own copy of the 64x64 image tokens
        // through the transformer (~80 MB per 20 at d_model 256): bound the batch.
        for (std::size_t first = 0; first < ms.size(); first += kMaxBatch) {
            const auto last = std::min(ms.size(), first + kMaxBatch);
            auto mb = torch::stack(std::vector<torch::Tensor>(ms.begin() + first, ms.begin() + last)).to(device_);
            auto bb = torch::stack(std::vector<torch::Tensor>(boxes.begin() + first, boxes.begin() + last)).to(device_);
            const auto latent = model_->encodeLatent(e.features, mb, bb).to(torch::kFloat32);  // codebooks are float32
            auto codes = model_->quantizer->quantize(latent).codes;
            if (width > 1) {
                for (int64_t i = 0; i < codes.size(0); ++i) {
                    // The quantizer's own pair must be a candidate and come first, to win ties. It is
                    // the nearest pair already unless two codes are (numerically) equidistant.
                    auto pairs = model_->quantizer->nearestPairs(latent[i], width);
                    if (!pairs[0].equal(codes[i])) pairs = torch::cat({codes[i].unsqueeze(0), pairs});
                    codes[i].copy_(pairs[bestDecodedPair(e, pairs, mb[i].to(torch::kBool))]);
                }
            }
            codes = codes.to(torch::kCPU);
            for (int64_t i = 0; i < codes.size(0); ++i)
                out.push_back(
                    {static_cast<int>(codes[i][0].item<int64_t>()), static_cast<int>(codes[i][1].item<int64_t>())});
        }
        return out;
    }

    std::vector<DecodedMask> decode(const ImageEmbedding& image, const std::vector<TokenPair>& codes,
                                    MissingCodeRule rule) const override {
        if (!info_.canTokenize) throw UserError("this model has no codebooks: load a SAMTok tokenizer");
        if (codes.empty()) return {};
        torch::InferenceMode guard;
        const auto& e = static_cast<const Embedding&>(image);
        const auto allZq = latentsOf(codes, rule);
        std::vector<DecodedMask> out;
        for (int64_t first = 0; first < allZq.size(0); first += static_cast<int64_t>(kMaxBatch)) {
            const HeadOutput h =
                model_->decodeLatent(e.features, allZq.slice(0, first, first + static_cast<int64_t>(kMaxBatch)));
            const auto iou = h.iou.gather(1, h.best.view({-1, 1})).to(torch::kCPU, torch::kFloat32);
            for (int64_t i = 0; i < h.bestMask.size(0); ++i) {
                DecodedMask d = toMask(h.bestMask[i].unsqueeze(0), e, config().maskThreshold);
                d.predictedIou = iou[i][0].item<float>();
                d.objectScore = h.objectScore[i][0].to(torch::kFloat32).item<float>();
                out.push_back(std::move(d));
            }
        }
        return out;
    }

    DecodedCandidates decodeCandidates(const ImageEmbedding& image, const TokenPair& code,
                                       MissingCodeRule rule) const override {
        if (!info_.canTokenize) throw UserError("this model has no codebooks: load a SAMTok tokenizer");
        torch::InferenceMode guard;
        const auto& e = static_cast<const Embedding&>(image);
        const HeadOutput h = model_->decodeLatent(e.features, latentsOf({code}, rule));  // masks (1, M, 4e, 4e)
        const auto iou = h.iou.to(torch::kCPU, torch::kFloat32);
        const float objectScore = h.objectScore[0][0].to(torch::kFloat32).item<float>();
        DecodedCandidates out;
        out.returned = static_cast<int>(h.best[0].item<int64_t>());  // the decoder's own choice, as decode() takes it
        for (int64_t k = 0; k < h.masks.size(1); ++k) {
            DecodedMask d = toMask(h.masks.slice(1, k, k + 1), e, config().maskThreshold);
            d.predictedIou = iou[0][k].item<float>();
            d.objectScore = objectScore;
            out.masks.push_back(std::move(d));
        }
        return out;
    }

    std::vector<Candidate> segment(const ImageEmbedding& image, const Prompt& p) const override {
        if (p.points.empty() && !p.box) throw std::invalid_argument("segment: give at least one point or a box");
        torch::InferenceMode guard;
        const auto& e = static_cast<const Embedding&>(image);
        const double sx = static_cast<double>(config().imageSize) / e.w,
                     sy = static_cast<double>(config().imageSize) / e.h;
        std::vector<float> coords;
        std::vector<int64_t> labels;
        if (p.box) {
            coords.insert(coords.end(), {static_cast<float>((*p.box)[0] * sx), static_cast<float>((*p.box)[1] * sy),
                                         static_cast<float>((*p.box)[2] * sx), static_cast<float>((*p.box)[3] * sy)});
            labels.insert(labels.end(), {2, 3});
        }
        for (const PromptPoint& pt : p.points) {
            coords.push_back(static_cast<float>(pt.x * sx));
            coords.push_back(static_cast<float>(pt.y * sy));
            labels.push_back(pt.positive ? 1 : 0);
        }
        auto pts = torch::tensor(coords).view({1, -1, 2}).to(device_);
        auto lab = torch::tensor(labels, torch::kInt64).view({1, -1}).to(device_);
        const int m = config().lowResMaskSize();
        torch::Tensor maskInput;
        if (!p.previousLowRes.empty()) {
            if (p.previousLowRes.size() != static_cast<std::size_t>(m) * m)
                throw std::invalid_argument("segment: previous mask logits have the wrong size");
            maskInput = torch::tensor(p.previousLowRes).view({1, 1, m, m}).to(device_, dtype_);
        }
        const ImageFeatures& f = promptDecoder_ ? e.promptFeatures : e.features;
        const HeadOutput h = model_->segment(f, pts, lab, maskInput, p.multimask, promptDecoder_);
        const auto iou = h.iou.to(torch::kCPU, torch::kFloat32);
        const float objectScore = h.objectScore[0][0].to(torch::kFloat32).item<float>();
        std::vector<Candidate> out;
        for (int64_t k = 0; k < h.masks.size(1); ++k) {
            Candidate c;
            const auto low = h.masks.slice(1, k, k + 1);  // (1, 1, 4e, 4e)
            const auto lowCpu = low.to(torch::kCPU, torch::kFloat32).contiguous();
            c.mask = toMask(low.is_cpu() ? lowCpu : low, e, 0.0);  // SAM's own threshold for prompts
            c.mask.predictedIou = iou[0][k].item<float>();
            c.mask.objectScore = objectScore;
            c.lowResLogits.assign(lowCpu.data_ptr<float>(), lowCpu.data_ptr<float>() + lowCpu.numel());
            c.lowResSize = static_cast<int>(lowCpu.size(-1));
            out.push_back(std::move(c));
        }
        std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
            return a.mask.predictedIou > b.mask.predictedIou;
        });
        return out;
    }

private:
    // masks_to_boxes: inclusive min/max column and row; an empty mask gives a zero box.
    static torch::Tensor boxOf(const torch::Tensor& m) {
        auto nz = m.nonzero();
        if (nz.size(0) == 0) return torch::zeros({4});
        auto ys = nz.select(1, 0).to(torch::kFloat32), xs = nz.select(1, 1).to(torch::kFloat32);
        return torch::stack({xs.min(), ys.min(), xs.max(), ys.max()});
    }

    // (B, 1, 4e, 4e) logits -> (B, 1, H, W) foreground at the original size, as decode returns it.
    static torch::Tensor toForeground(const torch::Tensor& lowRes, const Embedding& e, double threshold) {
        return F::interpolate(lowRes.to(torch::kFloat32), F::InterpolateFuncOptions()
                                                              .size(std::vector<int64_t>{e.h, e.w})
                                                              .mode(torch::kBilinear)
                                                              .align_corners(false))
            .gt(threshold);
    }

    // (1, 1, 4e, 4e) logits -> the mask at the original size, as toForeground
    // gives it. On the CPU in one pass over the output bytes (no full-size float
    // image: a click makes three of these), split by rows over LibTorch's threads
    // for large images; a GPU keeps its own kernel.
    static DecodedMask toMask(const torch::Tensor& lowRes, const Embedding& e, double threshold) {
        DecodedMask d;
        d.width = e.w;
        d.height = e.h;
        if (!lowRes.is_cpu()) {
            auto bin = toForeground(lowRes, e, threshold).to(torch::kUInt8).contiguous().to(torch::kCPU);
            d.mask.assign(bin.data_ptr<std::uint8_t>(), bin.data_ptr<std::uint8_t>() + bin.numel());
            return d;
        }
        const auto low = lowRes.to(torch::kFloat32).contiguous();
        const int lw = static_cast<int>(low.size(-1)), lh = static_cast<int>(low.size(-2));
        if (low.numel() != static_cast<int64_t>(lw) * lh) throw std::logic_error("toMask: expected one low-res mask");
        d.mask.resize(static_cast<std::size_t>(e.w) * static_cast<std::size_t>(e.h));
        const int64_t rowsPerTask = std::max<int64_t>(1, (int64_t{1} << 16) / e.w);  // ~64k pixels a task
        at::parallel_for(0, e.h, rowsPerTask, [&](int64_t begin, int64_t end) {
            upsampleAndThresholdRows(low.data_ptr<float>(), lw, lh, e.w, e.h, static_cast<float>(threshold),
                                     static_cast<int>(begin), static_cast<int>(end), d.mask.data());
        });
        return d;
    }

    // pairs (N, 2) -> the row whose decoded mask has the highest IoU with target
    // (1, H, W) bool; the first of equals. Scored at the original size, as the
    // user will see the mask (toForeground: with LibTorch 1.13 on the CPU, the
    // pixels toMask gives; elsewhere they may differ on the threshold itself).
    int64_t bestDecodedPair(const Embedding& e, const torch::Tensor& pairs, const torch::Tensor& target) const {
        const auto zq = model_->quantizer->embedCodes(pairs).to(device_, dtype_);
        std::vector<torch::Tensor> ious;
        for (int64_t first = 0; first < zq.size(0); first += static_cast<int64_t>(kMaxBatch)) {
            const HeadOutput h =
                model_->decodeLatent(e.features, zq.slice(0, first, first + static_cast<int64_t>(kMaxBatch)));
            const auto fg = toForeground(h.bestMask, e, config().maskThreshold);  // (b, 1, H, W)
            const auto inter = fg.logical_and(target).sum({1, 2, 3}).to(torch::kFloat64);
            const auto uni = fg.logical_or(target).sum({1, 2, 3}).to(torch::kFloat64);
            ious.push_back(torch::where(uni.gt(0), inter / uni.clamp_min(1), torch::ones_like(uni)));
        }
        return torch::cat(ious).argmax().item<int64_t>();
    }

    // The quantized latents (n, C) of code pairs, on the device in the networks' precision.
    torch::Tensor latentsOf(const std::vector<TokenPair>& codes, MissingCodeRule rule) const {
        std::vector<int64_t> flat;
        for (const TokenPair& c : codes) {
            flat.push_back(c.c0);
            flat.push_back(c.c1);
        }
        const auto codeT = torch::tensor(flat, torch::kInt64).view({-1, 2}).to(device_);
        return model_->quantizer->embedCodes(codeT, rule == MissingCodeRule::FirstCodeOnly).to(device_, dtype_);
    }

    // Networks on the device in the chosen precision; the codebooks stay float32.
    void place() {
        // fp32 means the official float32 arithmetic: no TF32 convolutions, which would round the
        // image features to 10-bit mantissas and can move a latent to another code. (A process-wide switch.)
        if (device_.is_cuda() && dtype_ == torch::kFloat32) at::globalContext().setAllowTF32CuDNN(false);
        model_->to(device_);
        model_->sam2->to(dtype_);
        if (promptDecoder_) promptDecoder_->to(device_, dtype_);
        info_.device = device_.str();
    }

    // Forward passes do not change the modules, but LibTorch's holders have no const forward.
    mutable SamTokModel model_;
    mutable MaskDecoder promptDecoder_{nullptr};
    torch::Device device_;
    torch::ScalarType dtype_;
    TokenizerInfo info_;
};

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::load(const ModelConfig& config, const std::string& checkpoint,
                                           const std::string& promptCheckpoint, const std::string& device,
                                           Precision precision) {
    return std::make_unique<TokenizerImpl>(config, checkpoint, promptCheckpoint, device, precision);
}

std::unique_ptr<Tokenizer> Tokenizer::untrained(const ModelConfig& config, const std::string& device,
                                                Precision precision) {
    return std::make_unique<TokenizerImpl>(config, std::string(), std::string(), device, precision);
}

Precision parsePrecision(const std::string& name) {
    if (name == "fp32" || name == "float32") return Precision::Float32;
    if (name == "bf16" || name == "bfloat16") return Precision::BFloat16;
    throw std::invalid_argument("unknown precision '" + name + "' (use fp32 or bf16)");
}

std::string precisionName(Precision p) {
    return p == Precision::BFloat16 ? "bf16" : "fp32";
}

ModelConfig detectConfig(const std::string& path) {
    const auto file = checkpoint::Checkpoint::open(path);
    auto meta = file.metadata().find("config");
    if (meta != file.metadata().end()) {
        try {
            return configFromJson(meta->second);
        } catch (const std::invalid_argument& e) {
            throw checkpoint::CheckpointError("'" + path + "': its config: " + e.what());
        }
    }
    const std::string prefix = isSam2File(file) ? "" : kSam2Prefix;
    auto pos = file.tensors().find(prefix + "image_encoder.trunk.pos_embed");
    if (pos == file.tensors().end())
        throw checkpoint::CheckpointError("'" + path + "': not a SAM2 or SAMTok checkpoint (no image_encoder.trunk)");
    if (pos->second.sizes.size() != 4)
        throw checkpoint::CheckpointError("'" + path + "': image_encoder.trunk.pos_embed is not 4-dimensional");
    const int64_t embed = pos->second.sizes.at(1);
    int blocks = 0;
    while (file.tensors().count(prefix + "image_encoder.trunk.blocks." + std::to_string(blocks) + ".norm1.weight"))
        ++blocks;
    for (const std::string& name : builtinConfigNames()) {
        const ModelConfig c = builtinConfig(name);
        int depth = 0;
        for (int s : c.trunk.stages) depth += s;
        if (c.trunk.embedDim == embed && depth == blocks) return c;
    }
    throw checkpoint::CheckpointError("'" + path + "': a Hiera trunk of width " + std::to_string(embed) + " and " +
                                      std::to_string(blocks) + " blocks matches no built-in config; pass --config");
}

}  // namespace samtok::model
