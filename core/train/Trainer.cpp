#include "train/Trainer.h"

#include "checkpoint/Checkpoint.h"
#include "model/nn/SamTokModel.h"
#include "model/nn/WeightLoader.h"
#include "train/TrainingLoss.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace samtok::model {
namespace F = torch::nn::functional;

namespace {

constexpr int kCodeWindow = 500;  // steps over which "codes in use" is counted

// Depth of every pixel inside `m` (N, 1, h, w) in {0,1}: the number of 3x3
// erosions it survives, with the image border counted as background. The
// deepest pixel is the interior point farthest from the boundary.
torch::Tensor erosionDepth(const torch::Tensor& m) {
    auto cur = m;
    auto depth = torch::zeros_like(m);
    for (int64_t i = 0; i < std::max(m.size(2), m.size(3)); ++i) {
        depth += cur;
        if (i % 4 == 3 && cur.sum().item<double>() == 0) break;
        auto outside = F::pad(1 - cur, F::PadFuncOptions({1, 1, 1, 1}).value(1.0));
        cur = 1 - F::max_pool2d(outside, F::MaxPool2dFuncOptions(3).stride(1));
    }
    return depth;
}

// Picks one pixel per row of `depth` (N, 1, h, w): at random among the
// pixels at least `share` of the row's maximum depth. Returns (N, 2) x, y in
// pixels of an image of `size` (cell centres) and whether the row had any pixel.
std::pair<torch::Tensor, torch::Tensor> pickPoints(const torch::Tensor& depth, double share, int64_t size) {
    const int64_t n = depth.size(0), h = depth.size(2), w = depth.size(3);
    auto flat = depth.reshape({n, h * w});
    auto maxDepth = std::get<0>(flat.max(1, true));
    auto weights = (flat >= maxDepth * share).logical_and(flat > 0).to(torch::kFloat32) + 1e-12;
    auto idx = torch::multinomial(weights, 1).squeeze(1);
    auto x = (idx.remainder(w).to(torch::kFloat32) + 0.5) * (static_cast<double>(size) / w);
    auto y = (idx.div(w, "floor").to(torch::kFloat32) + 0.5) * (static_cast<double>(size) / h);
    return {torch::stack({x, y}, 1), maxDepth.squeeze(1) > 0};
}

// The mask inference returns for a prompt: the multimask candidate the IoU
// head prefers for a single click (SAM2's rule), else the single-mask token.
torch::Tensor returnedMask(const DecoderOutput& out, const torch::Tensor& singleClick, bool multimaskStep) {
    const auto single = out.masks.slice(1, 0, 1);
    if (!multimaskStep) return single;
    const int64_t n = out.masks.size(0), m = out.masks.size(2);
    const auto best = out.iouPred.slice(1, 1).argmax(1).view({n, 1, 1, 1}).expand({n, 1, m, m});
    return torch::where(singleClick.view({n, 1, 1, 1}), out.masks.slice(1, 1).gather(1, best), single);
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

}  // namespace

void alignAttentionProjections(SamTokModelImpl& model, double gain) {
    torch::NoGradGuard noGrad;
    auto params = model.named_parameters();
    for (const auto& p : params) {
        const std::string& name = p.key();
        const auto at = name.rfind("q_proj.weight");
        if (at == std::string::npos || at + 13 != name.size()) continue;
        const std::string prefix = name.substr(0, at);
        auto* k = params.find(prefix + "k_proj.weight");
        if (!k) continue;
        torch::nn::init::orthogonal_(p.value(), gain);
        k->copy_(p.value());
        if (auto* qb = params.find(prefix + "q_proj.bias")) qb->zero_();
        if (auto* kb = params.find(prefix + "k_proj.bias")) kb->zero_();
    }
}

struct Trainer::State {
    TrainOptions options;
    TrainImageSource source;
    torch::Device device{torch::kCPU};
    SamTokModel model{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<torch::Tensor> trainable;
    int step = 0;
    torch::Tensor lastUsed;  // (depth, K) step at which each code was last picked
    // Recent codebook inputs per level: dead codes restart from these, so that
    // a small batch still spreads restarted codes over many latents.
    std::vector<torch::Tensor> replay;
    int64_t replayWritten = 0;

    std::string checkpointPath() const { return (fs::path(options.runDir) / "checkpoint.pt").string(); }
    std::string metricsPath() const { return (fs::path(options.runDir) / "metrics.csv").string(); }

    double learningRate(int s) const {
        const double warm = std::max(1.0, options.warmupShare * options.steps);
        if (s < warm) return options.learningRate * (0.01 + 0.99 * s / warm);
        const double t = (s - warm) / std::max(1.0, options.steps - warm);
        return options.learningRate * (0.02 + 0.98 * 0.5 * (1 + std::cos(M_PI * std::min(1.0, t))));
    }

    void save() {
        torch::serialize::OutputArchive archive, modelArchive, optimArchive;
        model->save(modelArchive);
        optimizer->save(optimArchive);
        archive.write("model", modelArchive);
        archive.write("optimizer", optimArchive);
        archive.write("step", torch::tensor(static_cast<int64_t>(step)));
        archive.write("seed", torch::tensor(static_cast<int64_t>(options.seed)));
        archive.write("iou_head_only", torch::tensor(static_cast<int64_t>(options.iouHeadOnly)));
        archive.write("last_used", lastUsed);
        archive.write("replay_written", torch::tensor(replayWritten));
        for (std::size_t l = 0; l < replay.size(); ++l) archive.write("replay_" + std::to_string(l), replay[l]);
        const std::string config = configToJson(options.config);
        archive.write("config", torch::from_blob(const_cast<char*>(config.data()),
                                                 {static_cast<int64_t>(config.size())}, torch::kUInt8)
                                    .clone());
        const std::string tmp = checkpointPath() + ".tmp";
        archive.save_to(tmp);
        fs::rename(tmp, checkpointPath());
    }

    void load() {
        torch::serialize::InputArchive archive, modelArchive, optimArchive;
        archive.load_from(checkpointPath(), device);
        torch::Tensor config, seed, s;
        archive.read("config", config);
        config = config.to(torch::kCPU).contiguous();  // load_from put every tensor on the training device
        const std::string saved(static_cast<const char*>(config.data_ptr()), static_cast<std::size_t>(config.numel()));
        if (saved != configToJson(options.config))
            throw std::invalid_argument("'" + checkpointPath() +
                                        "' was written for another model config; use a new run folder");
        archive.read("seed", seed);
        if (static_cast<std::uint64_t>(seed.item<int64_t>()) != options.seed)
            throw std::invalid_argument("'" + checkpointPath() + "' was written with seed " +
                                        std::to_string(seed.item<int64_t>()) + "; resume with the same seed");
        // The optimiser holds state for the trained weights only: a run cannot change which those are.
        torch::Tensor headOnly;
        const bool savedHeadOnly = archive.try_read("iou_head_only", headOnly) && headOnly.item<int64_t>() != 0;
        if (savedHeadOnly != options.iouHeadOnly)
            throw std::invalid_argument("'" + checkpointPath() + "' was written training " +
                                        (savedHeadOnly ? "the IoU head alone" : "every weight") +
                                        "; resume it the same way or use a new run folder");
        archive.read("model", modelArchive);
        model->load(modelArchive);
        archive.read("optimizer", optimArchive);
        optimizer->load(optimArchive);
        archive.read("step", s);
        step = static_cast<int>(s.item<int64_t>());
        archive.read("last_used", lastUsed);
        lastUsed = lastUsed.to(torch::kCPU);  // kept on the CPU (see trainStep)
        torch::Tensor written;
        archive.read("replay_written", written);
        replayWritten = written.item<int64_t>();
        for (std::size_t l = 0; l < replay.size(); ++l) archive.read("replay_" + std::to_string(l), replay[l]);
    }

    // Keeps metrics.csv in step with the checkpoint: rows past it are dropped.
    void trimMetrics() {
        std::ifstream in(metricsPath());
        if (!in) return;
        std::ostringstream kept;
        std::string line;
        for (bool header = true; std::getline(in, line); header = false)
            if (header || std::stoi(line.substr(0, line.find(','))) <= step) kept << line << '\n';
        in.close();
        std::ofstream(metricsPath(), std::ios::trunc) << kept.str();
    }

    // EMA k-means update of one codebook level from its inputs and picks, then
    // restart of the codes nobody picked for a while (their EMA count fell
    // below a third of the mean count) from recent inputs.
    void updateCodebook(int level, const torch::Tensor& inputs, const torch::Tensor& codes) {
        torch::NoGradGuard noGrad;
        auto& cb = model->quantizer->codebooks()[static_cast<std::size_t>(level)];
        const int64_t k = model->quantizer->codebookSize();
        const double d = options.codebookDecay, eps = 1e-5;
        auto onehot = F::one_hot(codes, k).to(inputs.dtype());
        cb->clusterSizeEma.mul_(d).add_(onehot.sum(0), 1 - d);
        cb->embedEma.mul_(d).add_(onehot.t().mm(inputs), 1 - d);
        auto total = cb->clusterSizeEma.sum();
        auto smoothed = (cb->clusterSizeEma + eps) / (total + k * eps) * total;
        auto book = cb->weight.slice(0, 0, k);
        book.copy_(cb->embedEma / smoothed.unsqueeze(1));
        const double expected = static_cast<double>(inputs.size(0)) / k;
        auto& pool = replay[static_cast<std::size_t>(level)];
        const int64_t n = inputs.size(0), capacity = pool.size(0);
        auto slots = torch::arange(replayWritten, replayWritten + n, torch::TensorOptions().dtype(torch::kInt64))
                         .remainder(capacity);
        pool.index_copy_(0, slots.to(device), inputs);
        const int64_t filled = std::min(capacity, replayWritten + n);
        auto dead = cb->clusterSizeEma < expected / 3;
        const int64_t deadCount = dead.sum().item<int64_t>();
        if (deadCount == 0) return;
        auto pick = torch::randint(filled, {deadCount}, torch::TensorOptions().dtype(torch::kInt64).device(device));
        auto fresh = pool.index_select(0, pick) + 1e-3 * torch::randn({deadCount, inputs.size(1)}, inputs.options());
        auto deadIdx = dead.nonzero().squeeze(1);
        book.index_copy_(0, deadIdx, fresh);
        cb->clusterSizeEma.index_fill_(0, deadIdx, expected);
        cb->embedEma.index_copy_(0, deadIdx, fresh * expected);
    }

    // A GPU waits for the CPU that makes its images: there the next step's
    // images are made on other threads while this step runs. The source is a
    // pure function of its seed, so the data, and the run, stay the same.
    std::future<std::vector<TrainImage>> prefetched;
    int prefetchedStep = -1;
    std::vector<TrainImage> makeImages(int forStep, bool parallel) const;
    std::vector<TrainImage> imagesFor(int forStep);

    TrainStatus trainStep();

    // The parts of a step, in the order trainStep runs them.
    struct StepBatch {
        torch::Tensor pixels;  // (images, 3, S, S), normalised
        torch::Tensor masks;   // (n, 1, S, S), each next to its image
        torch::Tensor boxes;   // (n, 4) tight inclusive x0 y0 x1 y1
        torch::Tensor target;  // (n, 1, m, m) soft low-resolution masks
        double dataSeconds = 0;
    };
    struct RoundTripLosses {
        HeadOutput out;
        torch::Tensor best, commit, iou, object;  // best: (n,) the trained candidates' mask loss
    };
    struct PromptLosses {
        DecoderOutput out;
        torch::Tensor loss, iou, object;  // loss: (n,)
        torch::Tensor singleClick;        // (n,) prompted by one click, not a box
        bool multimaskStep = true;
        int corrective = 0;
    };
    StepBatch makeBatch();
    ImageFeatures embedPerMask(const torch::Tensor& pixels);
    RoundTripLosses roundTrip(const ImageFeatures& fr, const StepBatch& b);
    PromptLosses prompts(const ImageFeatures& fr, const StepBatch& b);
    void optimise(const torch::Tensor& loss, double lr);
};

std::vector<TrainImage> Trainer::State::makeImages(int forStep, bool parallel) const {
    const int64_t images = options.imagesPerStep, perImage = options.masksPerImage, size = options.config.imageSize;
    auto one = [&](int64_t i) {
        TrainImage img =
            source(mix(options.seed + 1, static_cast<std::uint64_t>(forStep * images + i)), static_cast<int>(perImage));
        if (img.rgb.size() != static_cast<std::size_t>(size * size * 3) ||
            img.masks.size() != static_cast<std::size_t>(perImage))
            throw std::runtime_error("training source gave an image of the wrong size or mask count");
        return img;
    };
    std::vector<TrainImage> out;
    if (!parallel) {
        for (int64_t i = 0; i < images; ++i) out.push_back(one(i));
        return out;
    }
    std::vector<std::future<TrainImage>> parts;
    for (int64_t i = 0; i < images; ++i) parts.push_back(std::async(std::launch::async, one, i));
    for (auto& p : parts) out.push_back(p.get());
    return out;
}

std::vector<TrainImage> Trainer::State::imagesFor(int forStep) {
    const bool ahead = device.is_cuda();
    const bool ready = prefetchedStep == forStep;
    prefetchedStep = -1;  // before get(): a source that threw leaves no stale promise behind
    std::vector<TrainImage> out = ready ? prefetched.get() : makeImages(forStep, ahead);
    if (ahead && forStep + 1 < options.steps) {
        prefetched = std::async(std::launch::async, [this, next = forStep + 1] { return makeImages(next, true); });
        prefetchedStep = forStep + 1;
    }
    return out;
}

Trainer::Trainer(TrainOptions options, TrainImageSource source) : state_(std::make_unique<State>()) {
    auto& s = *state_;
    s.options = std::move(options);
    s.source = std::move(source);
    s.options.config.validate();
    if (s.options.steps <= 0 || s.options.imagesPerStep <= 0 || s.options.masksPerImage <= 0)
        throw std::invalid_argument("steps, images per step and masks per image must be positive");
    if (s.options.iouHeadOnly && s.options.initFrom.empty())
        throw std::invalid_argument("training the IoU head alone needs a model to start from (--init)");
    s.device = torch::Device(s.options.device);
    if (s.device.is_cuda() && !torch::cuda::is_available())
        throw std::invalid_argument("device '" + s.options.device + "' requested, but this LibTorch build has no CUDA");
    fs::create_directories(s.options.runDir);
    torch::manual_seed(s.options.seed);
    s.model = SamTokModel(s.options.config);
    if (s.options.alignedAttentionInit) alignAttentionProjections(*s.model, s.options.attentionInitGain);
    if (!s.options.initFrom.empty()) {
        LoadRules rules;
        rules.isIgnorable = isUnusedBySamTok;
        loadWeights(*s.model, checkpoint::Checkpoint::open(s.options.initFrom), rules);
    }
    s.model->to(s.device);
    s.model->train();
    for (auto& p : s.model->named_parameters()) {
        if (s.options.iouHeadOnly && p.key().find("iou_prediction_head.") == std::string::npos)
            p.value().requires_grad_(false);
        if (p.value().requires_grad()) s.trainable.push_back(p.value());
    }
    s.optimizer = std::make_unique<torch::optim::AdamW>(
        s.trainable, torch::optim::AdamWOptions(s.options.learningRate).weight_decay(s.options.weightDecay));
    for (int l = 0; l < s.options.config.codebookDepth; ++l)
        s.replay.push_back(torch::zeros({1024, s.options.config.latentDim}, torch::TensorOptions().device(s.device)));
    s.lastUsed = torch::full({s.options.config.codebookDepth, s.options.config.codebookSize}, -kCodeWindow - 1,
                             torch::TensorOptions().dtype(torch::kInt64));
    if (fs::exists(s.checkpointPath())) s.load();
    s.trimMetrics();
}

Trainer::~Trainer() = default;

int Trainer::step() const {
    return state_->step;
}

// One step: the batch, then (a) the round trip and (b) the prompts on the same image features, one optimiser step on
// the sum of their losses. The parts run in this order so that the random draws, and so every run, stay as they were.
TrainStatus Trainer::State::trainStep() {
    torch::manual_seed(mix(options.seed, static_cast<std::uint64_t>(step)));
    const StepBatch b = makeBatch();
    const ImageFeatures fr = embedPerMask(b.pixels);
    const RoundTripLosses rt = roundTrip(fr, b);
    const PromptLosses pr = prompts(fr, b);
    auto loss = rt.best.mean() + options.commitWeight * rt.commit + rt.iou + 0.1 * rt.object + pr.loss.mean() + pr.iou +
                0.1 * pr.object;
    if (!std::isfinite(loss.item<double>()))
        throw std::runtime_error("training diverged at step " + std::to_string(step) + " (loss is not finite)");
    const double lr = learningRate(step);
    optimise(loss, lr);
    ++step;

    TrainStatus st;
    st.correctiveClicks = pr.corrective;
    st.step = step;
    st.steps = options.steps;
    st.loss = loss.item<double>();
    st.maskLoss = rt.best.mean().item<double>();
    st.promptLoss = pr.loss.mean().item<double>();
    st.commitLoss = rt.commit.item<double>();
    st.iouLoss = (rt.iou + pr.iou).item<double>();
    // IoU of what inference returns: the candidate the IoU head picks, thresholded as each path does.
    st.roundTripIou = binaryIou(rt.out.bestMask, b.target, options.config.maskThreshold).mean().item<double>();
    st.promptIou =
        binaryIou(returnedMask(pr.out, pr.singleClick, pr.multimaskStep), b.target, 0.0).mean().item<double>();
    auto inUse = (lastUsed > step - kCodeWindow).sum(1);
    st.codesInUse0 = static_cast<int>(inUse[0].item<int64_t>());
    st.codesInUse1 = options.config.codebookDepth > 1 ? static_cast<int>(inUse[1].item<int64_t>()) : 0;
    st.learningRate = lr;
    st.dataSeconds = b.dataSeconds;
    return st;
}

Trainer::State::StepBatch Trainer::State::makeBatch() {
    const auto& c = options.config;
    const int64_t size = c.imageSize, low = c.lowResMaskSize();
    StepBatch b;
    // (images, 3, S, S) pixels, (n, 1, S, S) masks, each mask next to its image.
    std::vector<torch::Tensor> pix, masks;
    const auto dataStart = std::chrono::steady_clock::now();
    std::vector<TrainImage> batch = imagesFor(step);
    b.dataSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - dataStart).count();
    for (auto& img : batch) {
        pix.push_back(
            torch::from_blob(img.rgb.data(), {size, size, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat32));
        for (auto& m : img.masks)
            masks.push_back(torch::from_blob(m.data(), {1, size, size}, torch::kUInt8).to(torch::kFloat32));
    }
    auto mean = torch::tensor({c.pixelMean[0], c.pixelMean[1], c.pixelMean[2]}).view({1, 3, 1, 1});
    auto stdev = torch::tensor({c.pixelStd[0], c.pixelStd[1], c.pixelStd[2]}).view({1, 3, 1, 1});
    b.pixels = ((torch::stack(pix) / 255.0 - mean) / stdev).to(device);
    b.masks = torch::stack(masks).to(device);  // (n, 1, S, S)

    // Tight inclusive boxes, as the reference's masks_to_boxes.
    auto cols = b.masks.amax({1, 2}) > 0, rows = b.masks.amax({1, 3}) > 0;  // (n, S)
    auto ar = torch::arange(size, torch::TensorOptions().device(device)).to(torch::kFloat32);
    auto first = [&](const torch::Tensor& any) { return torch::where(any, ar, torch::full_like(ar, 1e9)).amin(1); };
    auto last = [&](const torch::Tensor& any) { return torch::where(any, ar, torch::full_like(ar, -1)).amax(1); };
    b.boxes = torch::stack({first(cols), first(rows), last(cols), last(rows)}, 1);
    b.target = F::adaptive_avg_pool2d(b.masks, F::AdaptiveAvgPool2dFuncOptions({low, low}));  // soft, (n, 1, m, m)
    return b;
}

// The image features, each image's repeated for each of its masks.
ImageFeatures Trainer::State::embedPerMask(const torch::Tensor& pixels) {
    ImageFeatures f = model->embedImage(pixels);
    auto rep = [&](const torch::Tensor& t) { return t.repeat_interleave(options.masksPerImage, 0); };
    ImageFeatures fr;
    fr.embedding = rep(f.embedding);
    fr.featS0 = rep(f.featS0);
    fr.featS1 = rep(f.featS1);
    fr.densePe = f.densePe;
    return fr;
}

// (a) Round trip: latent -> residual quantizer (EMA codebooks, straight-through) -> decoder.
Trainer::State::RoundTripLosses Trainer::State::roundTrip(const ImageFeatures& fr, const StepBatch& b) {
    const auto& c = options.config;
    auto z = model->encodeLatent(fr, b.masks, b.boxes);  // (n, C)
    auto q = model->quantizer->quantize(z.detach());
    torch::Tensor residual = z.detach(), cumulative = torch::zeros_like(z), commit = torch::zeros({}, z.options());
    for (int level = 0; level < c.codebookDepth; ++level) {
        auto codes = q.codes.select(1, level);
        auto row =
            model->quantizer->codebooks()[static_cast<std::size_t>(level)]->weight.index_select(0, codes).detach();
        cumulative = cumulative + row;
        commit = commit + F::mse_loss(z, cumulative);
        if (!options.iouHeadOnly) updateCodebook(level, residual, codes);
        residual = residual - row;
        lastUsed[level].index_fill_(0, codes.to(torch::kCPU), step);
    }
    replayWritten += z.size(0);
    RoundTripLosses r;
    r.commit = commit / c.codebookDepth;
    auto zq = step < options.quantizerWarmupSteps ? z : z + (q.quantized - z).detach();
    r.out = model->decodeLatent(fr, zq);  // multimask: tokens 1..3
    auto loss = maskLoss(r.out.masks, b.target, {options.bceWeight, options.focalWeight, options.diceWeight});
    r.best = roundTripLoss(loss, r.out.best, options.roundTripCandidates);
    r.iou = F::mse_loss(r.out.iou, binaryIou(r.out.masks, b.target, 0.0).detach());
    r.object = F::binary_cross_entropy_with_logits(r.out.objectScore, torch::ones_like(r.out.objectScore));
    return r;
}

// (b) Prompts on the same features: a jittered box or one positive click, then 0..maxCorrectiveClicks corrective
// clicks from the model's own errors (no gradient), each fed back with the previous low-resolution logits, as SAM
// trains.
Trainer::State::PromptLosses Trainer::State::prompts(const ImageFeatures& fr, const StepBatch& b) {
    const int64_t size = options.config.imageSize, n = b.masks.size(0);
    auto& decoder = model->sam2->maskDecoder;
    auto& prompt = model->sam2->promptEncoder;
    auto targetBin = (b.target > 0.5).to(torch::kFloat32);
    auto useBox = torch::rand({n}, torch::TensorOptions().device(device)) < 0.35;
    auto firstClick = pickPoints(erosionDepth(targetBin), 0.5, size).first;
    const auto& boxes = b.boxes;
    auto bw = boxes.select(1, 2) - boxes.select(1, 0), bh = boxes.select(1, 3) - boxes.select(1, 1);
    auto jitter = torch::randn({n, 4}, boxes.options()) * 0.08 * torch::stack({bw, bh, bw, bh}, 1);
    auto jBox = (boxes + jitter).clamp(0, size - 1);
    auto jBoxMin = torch::min(jBox.slice(1, 0, 2), jBox.slice(1, 2, 4)),
         jBoxMax = torch::max(jBox.slice(1, 0, 2), jBox.slice(1, 2, 4));
    // Masks are at the model size, so boxes are already in model pixels.
    auto pointsFirst = torch::where(useBox.view({n, 1, 1}), torch::stack({jBoxMin, jBoxMax}, 1),
                                    torch::stack({firstClick, torch::zeros_like(firstClick)}, 1));
    auto labelsFirst = torch::where(useBox.view({n, 1}), torch::tensor({2, 3}).to(device).view({1, 2}).expand({n, 2}),
                                    torch::tensor({1, -1}).to(device).view({1, 2}).expand({n, 2}));
    std::vector<torch::Tensor> pts{pointsFirst}, labs{labelsFirst};
    torch::Tensor previous;  // low-res logits fed back as the mask prompt
    PromptLosses r;
    r.corrective = static_cast<int>(torch::randint(0, 8, {1}).item<int64_t>() % 4 == 0
                                        ? 0
                                        : torch::randint(0, options.maxCorrectiveClicks + 1, {1}).item<int64_t>());
    auto fDet = fr;
    fDet.embedding = fr.embedding.detach();
    fDet.featS0 = fr.featS0.detach();
    fDet.featS1 = fr.featS1.detach();
    auto runPrompt = [&](const ImageFeatures& feats, const torch::Tensor& maskIn) {
        auto sparse = prompt->embedPoints(torch::cat(pts, 1), torch::cat(labs, 1), /*pad=*/true);
        auto dense = maskIn.defined() ? prompt->embedMasks(maskIn) : prompt->noMaskDense(n);
        return decoder->forward(feats.embedding, feats.densePe, sparse, dense, feats.featS0, feats.featS1);
    };
    // Multimask for a single click with no mask prompt (SAM2's rule: at most one point).
    r.singleClick = useBox.logical_not();
    for (int k = 0; k < r.corrective; ++k) {
        torch::NoGradGuard noGrad;
        auto out = runPrompt(fDet, previous);
        const torch::Tensor chosen = returnedMask(out, r.singleClick, /*multimaskStep=*/k == 0);
        auto pred = (chosen > 0).to(torch::kFloat32);
        auto missed = targetBin * (1 - pred), extra = pred * (1 - targetBin);
        auto dMissed = erosionDepth(missed), dExtra = erosionDepth(extra);
        auto positive = dMissed.amax({1, 2, 3}) >= dExtra.amax({1, 2, 3});
        auto [click, anyError] = pickPoints(torch::where(positive.view({n, 1, 1, 1}), dMissed, dExtra), 0.9, size);
        pts.push_back(click.unsqueeze(1));
        // A perfect mask gets a padding point, not a click on a random pixel.
        labs.push_back(torch::where(anyError, positive.to(torch::kInt64), torch::full_like(positive, -1, torch::kInt64))
                           .unsqueeze(1));
        previous = chosen;
    }
    r.out = runPrompt(fr, previous);
    auto lossAll =
        maskLoss(r.out.masks, b.target, {options.bceWeight, options.focalWeight, options.diceWeight});  // (n, 4)
    auto multiLoss = std::get<0>(lossAll.slice(1, 1).min(1));
    r.multimaskStep = r.corrective == 0;
    r.loss = r.multimaskStep ? torch::where(r.singleClick, multiLoss, lossAll.select(1, 0)) : lossAll.select(1, 0);
    r.iou = F::mse_loss(r.out.iouPred, binaryIou(r.out.masks, b.target, 0.0).detach());
    r.object = F::binary_cross_entropy_with_logits(r.out.objectScore, torch::ones_like(r.out.objectScore));
    return r;
}

void Trainer::State::optimise(const torch::Tensor& loss, double lr) {
    for (auto& group : optimizer->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    // Zeroed, not cleared: LibTorch 2's zero_grad() leaves gradients undefined, and AdamW then skips a parameter
    // that got none this step (the prompt encoder's mask input on steps without corrective clicks), where 1.13
    // still decays it and moves its moments. The runs of every LibTorch version follow the shipped model's.
    for (auto& p : trainable)
        if (p.grad().defined()) p.mutable_grad().detach_().zero_();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(trainable, options.clipNorm);
    optimizer->step();
}

void Trainer::run(const std::function<void(const TrainStatus&)>& progress, const std::atomic<bool>* stop) {
    auto& s = *state_;
    const bool newFile = !fs::exists(s.metricsPath());
    std::ofstream csv(s.metricsPath(), std::ios::app);
    if (newFile)
        csv << "step,loss,round_trip_loss,prompt_loss,commit_loss,iou_head_loss,round_trip_iou,prompt_iou,codes_in_use_"
               "0,"
               "codes_in_use_1,learning_rate,seconds_per_step,data_seconds_per_step\n";
    TrainStatus sum;
    int counted = 0;
    auto since = std::chrono::steady_clock::now();
    while (s.step < s.options.steps && !(stop && stop->load())) {
        const TrainStatus st = s.trainStep();
        sum.loss += st.loss, sum.maskLoss += st.maskLoss, sum.promptLoss += st.promptLoss,
            sum.commitLoss += st.commitLoss;
        sum.iouLoss += st.iouLoss, sum.roundTripIou += st.roundTripIou, sum.promptIou += st.promptIou;
        sum.dataSeconds += st.dataSeconds;
        ++counted;
        if (st.step % s.options.logEvery == 0 || st.step == s.options.steps) {
            const auto now = std::chrono::steady_clock::now();
            TrainStatus avg = st;
            avg.loss = sum.loss / counted, avg.maskLoss = sum.maskLoss / counted,
            avg.promptLoss = sum.promptLoss / counted;
            avg.commitLoss = sum.commitLoss / counted, avg.iouLoss = sum.iouLoss / counted;
            avg.roundTripIou = sum.roundTripIou / counted, avg.promptIou = sum.promptIou / counted;
            avg.secondsPerStep = std::chrono::duration<double>(now - since).count() / counted;
            avg.dataSeconds = sum.dataSeconds / counted;
            csv << avg.step << ',' << avg.loss << ',' << avg.maskLoss << ',' << avg.promptLoss << ',' << avg.commitLoss
                << ',' << avg.iouLoss << ',' << avg.roundTripIou << ',' << avg.promptIou << ',' << avg.codesInUse0
                << ',' << avg.codesInUse1 << ',' << avg.learningRate << ',' << avg.secondsPerStep << ','
                << avg.dataSeconds << '\n';
            csv.flush();
            if (progress) progress(avg);
            sum = TrainStatus{};
            counted = 0;
            since = now;
        }
        if (st.step % s.options.checkpointEvery == 0) s.save();
    }
    s.save();
}

void Trainer::exportModel(const std::string& path) const {
    auto& s = *state_;
    std::vector<torch::Tensor> keep;
    std::vector<checkpoint::TensorToWrite> out;
    auto add = [&](const std::string& name, const torch::Tensor& t) {
        keep.push_back(t.detach().to(torch::kCPU, torch::kFloat32).contiguous());
        checkpoint::TensorToWrite w;
        w.name = name;
        w.dtype = checkpoint::DType::Float32;
        w.shape = keep.back().sizes().vec();
        w.data = keep.back().data_ptr();
        out.push_back(std::move(w));
    };
    for (const auto& p : s.model->named_parameters()) add(p.key(), p.value());
    for (const auto& b : s.model->named_buffers()) add(b.key(), b.value());
    checkpoint::writeSafetensors(path, out,
                                 {{"config", configToJson(s.options.config)},
                                  {"trained_steps", std::to_string(s.step)},
                                  {"seed", std::to_string(s.options.seed)},
                                  {"producer", "samtok train"}});
}

std::vector<double> Trainer::weightChecksums() const {
    std::vector<double> out;
    for (const auto& p : state_->model->named_parameters())
        out.push_back(p.value().to(torch::kFloat64).abs().sum().item<double>());
    for (const auto& b : state_->model->named_buffers())
        out.push_back(b.value().to(torch::kFloat64).abs().sum().item<double>());
    return out;
}

}  // namespace samtok::model
