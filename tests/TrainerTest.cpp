// The trainer on a tiny configuration: the loss falls on a fixed scene, and a
// run stopped and resumed from its checkpoint ends with exactly the weights of
// an uninterrupted run.
#include "TestPaths.h"
#include "TinyModel.h"
#include "checkpoint/Checkpoint.h"
#include "model/Tokenizer.h"
#include "model/nn/WeightLoader.h"
#include "train/Trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace samtok::model;

namespace {

ModelConfig tinyConfig() {
    return configFromJson(samtok::test::tinyConfigJson("trainer-test", 64));
}

// A bright disc and a dark square on noise; `seed` moves them.
TrainImage scene(std::uint64_t seed, int masks) {
    std::mt19937_64 rng(seed);
    const int s = 64;
    TrainImage img;
    img.rgb.resize(s * s * 3);
    for (auto& v : img.rgb) v = static_cast<std::uint8_t>(100 + rng() % 40);
    std::vector<std::uint8_t> disc(s * s), square(s * s);
    const int cx = 16 + static_cast<int>(rng() % 12), cy = 16 + static_cast<int>(rng() % 32),
              r = 8 + static_cast<int>(rng() % 6);
    const int qx = 38 + static_cast<int>(rng() % 10), qy = 8 + static_cast<int>(rng() % 30),
              q = 10 + static_cast<int>(rng() % 8);
    for (int y = 0; y < s; ++y)
        for (int x = 0; x < s; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * s + x;
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                disc[i] = 1;
                for (int c = 0; c < 3; ++c) img.rgb[i * 3 + c] = 230;
            } else if (x >= qx && x < qx + q && y >= qy && y < qy + q) {
                square[i] = 1;
                for (int c = 0; c < 3; ++c) img.rgb[i * 3 + c] = 20;
            }
        }
    for (int k = 0; k < masks; ++k) img.masks.push_back(k % 2 ? square : disc);
    return img;
}

TrainOptions options(const fs::path& dir, int steps) {
    TrainOptions o;
    o.config = tinyConfig();
    o.runDir = dir.string();
    o.steps = steps;
    o.imagesPerStep = 2;
    o.masksPerImage = 2;
    o.learningRate = 3e-3;
    o.warmupShare = 0.0;
    o.checkpointEvery = 1000;
    o.logEvery = 1;
    o.seed = 7;
    o.device = samtok::test::testDevice();
    return o;
}

struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name)
        : path(fs::temp_directory_path() / ("samtok-trainer-" + name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(Trainer, LossFallsOnSimpleScenes) {
    TempDir dir("loss");
    Trainer trainer(options(dir.path, 80), [](std::uint64_t seed, int masks) { return scene(seed % 4, masks); });
    std::vector<double> losses, ious;
    trainer.run([&](const TrainStatus& s) {
        losses.push_back(s.loss);
        ious.push_back(s.promptIou);
    });
    ASSERT_EQ(losses.size(), 80u);
    const double first = std::accumulate(losses.begin(), losses.begin() + 10, 0.0) / 10;
    const double last = std::accumulate(losses.end() - 10, losses.end(), 0.0) / 10;
    EXPECT_LT(last, 0.6 * first) << "first " << first << " last " << last;
    const double firstIou = std::accumulate(ious.begin(), ious.begin() + 10, 0.0) / 10;
    const double lastIou = std::accumulate(ious.end() - 10, ious.end(), 0.0) / 10;
    EXPECT_GT(lastIou, firstIou + 0.15) << "first " << firstIou << " last " << lastIou;

    // The metrics file has a header and one row per step; the exported model loads for inference.
    std::ifstream csv(dir.path / "metrics.csv");
    int lines = 0;
    for (std::string l; std::getline(csv, l);) ++lines;
    EXPECT_EQ(lines, 81);
    const auto model = (dir.path / "model.safetensors").string();
    trainer.exportModel(model);
    const ModelConfig detected = detectConfig(model);
    EXPECT_EQ(detected.imageSize, 64);
    auto tok = Tokenizer::load(detected, model);
    const TrainImage img = scene(1, 1);
    auto emb = tok->embed({img.rgb.data(), 64, 64, 64 * 3});
    const auto codes = tok->encode(*emb, {{img.masks[0].data(), 64, 64}});
    ASSERT_EQ(codes.size(), 1u);
    EXPECT_GE(codes[0].c0, 0);
    EXPECT_LT(codes[0].c0, 16);
}

TEST(Trainer, ResumedRunContinuesExactly) {
    auto source = [](std::uint64_t seed, int masks) { return scene(seed, masks); };
    TempDir straight("straight"), resumed("resumed");
    Trainer a(options(straight.path, 12), source);
    a.run(nullptr);

    {
        std::atomic<bool> stop{false};
        Trainer b(options(resumed.path, 12), source);
        b.run([&](const TrainStatus& s) { stop = s.step >= 5; }, &stop);
        ASSERT_EQ(b.step(), 5);
    }
    Trainer c(options(resumed.path, 12), source);
    EXPECT_EQ(c.step(), 5);
    c.run(nullptr);
    EXPECT_EQ(c.step(), 12);
    if (samtok::test::testDevice() == "cpu") {
        EXPECT_EQ(a.weightChecksums(), c.weightChecksums());
    } else {  // a GPU's backward passes add with atomics, in no fixed order: equal to rounding
        const auto wa = a.weightChecksums(), wc = c.weightChecksums();
        ASSERT_EQ(wa.size(), wc.size());
        for (std::size_t i = 0; i < wa.size(); ++i)
            EXPECT_NEAR(wa[i], wc[i], 1e-3 * std::max(1.0, std::abs(wa[i]))) << i;
    }

    // A checkpoint of another config is refused, not silently mixed in.
    auto other = options(resumed.path, 12);
    other.config.codebookSize = 8;
    EXPECT_THROW(Trainer(other, source), std::invalid_argument);
}

// The prompt job draws its corrective clicks from 0..maxCorrectiveClicks (none on a quarter of the steps): the
// default stays within 3, a longer dialogue reaches past it and never past its own bound, and none means none.
TEST(Trainer, CorrectiveClicksFollowTheirBound) {
    auto source = [](std::uint64_t seed, int masks) { return scene(seed % 4, masks); };
    auto clicksOf = [&](int maxClicks, const std::string& name) {
        TempDir dir("clicks-" + name);
        auto o = options(dir.path, 40);
        o.maxCorrectiveClicks = maxClicks;
        std::vector<int> clicks;
        Trainer(o, source).run([&](const TrainStatus& s) { clicks.push_back(s.correctiveClicks); });
        return clicks;
    };
    const auto defaults = clicksOf(TrainOptions{}.maxCorrectiveClicks, "default");
    const auto longer = clicksOf(8, "longer");
    const auto none = clicksOf(0, "none");
    ASSERT_EQ(defaults.size(), 40u);
    EXPECT_EQ(*std::max_element(defaults.begin(), defaults.end()), 3);
    EXPECT_GT(*std::max_element(longer.begin(), longer.end()), 3);
    EXPECT_LE(*std::max_element(longer.begin(), longer.end()), 8);
    EXPECT_EQ(std::count(none.begin(), none.end(), 0), 40);
    EXPECT_GT(std::count(defaults.begin(), defaults.end(), 0), 0);  // single prompts are still trained
}

TEST(Trainer, IouHeadTuningChangesTheIouHeadAloneAndLowersItsError) {
    auto source = [](std::uint64_t seed, int masks) { return scene(seed % 4, masks); };
    TempDir base("iou-base"), tuned("iou-tuned");
    const auto basePath = (base.path / "base.safetensors").string(),
               tunedPath = (tuned.path / "tuned.safetensors").string();
    {
        Trainer a(options(base.path, 30), source);
        a.run(nullptr);
        a.exportModel(basePath);
    }
    auto o = options(tuned.path, 60);
    o.iouHeadOnly = true;
    EXPECT_THROW(Trainer(o, source), std::invalid_argument);  // nothing to start from
    o.initFrom = basePath;
    std::vector<double> iouLoss;
    Trainer b(o, source);
    b.run([&](const TrainStatus& s) { iouLoss.push_back(s.iouLoss); });
    b.exportModel(tunedPath);

    const auto before = samtok::checkpoint::Checkpoint::open(basePath);
    const auto after = samtok::checkpoint::Checkpoint::open(tunedPath);
    ASSERT_EQ(before.tensors().size(), after.tensors().size());
    int headChanged = 0;
    for (const auto& [name, stored] : before.tensors()) {
        const bool head = name.find("iou_prediction_head.") != std::string::npos;
        const bool same = torch::equal(toTensor(stored), toTensor(after.tensors().at(name)));
        if (head)
            headChanged += !same;
        else
            EXPECT_TRUE(same) << name << " changed";
    }
    EXPECT_GT(headChanged, 0);
    const double first = std::accumulate(iouLoss.begin(), iouLoss.begin() + 10, 0.0) / 10;
    const double last = std::accumulate(iouLoss.end() - 10, iouLoss.end(), 0.0) / 10;
    EXPECT_LT(last, 0.8 * first) << "IoU head error: first " << first << " last " << last;

    // The run resumes only as it was started: its optimiser knows the head's weights alone.
    auto everything = options(tuned.path, 80);
    everything.initFrom = basePath;
    EXPECT_THROW(Trainer(everything, source), std::invalid_argument);
    auto same = o;
    same.steps = 80;
    EXPECT_EQ(Trainer(same, source).step(), 60);
}

// Training feeds batches of images: each image's features must not depend on
// its batch neighbours, and every trainable weight must receive a gradient.
#include "model/nn/SamTokModel.h"

TEST(Trainer, BatchedImagesAreIndependentAndEveryWeightLearns) {
    torch::manual_seed(3);
    SamTokModel m(tinyConfig());
    auto pixels = torch::randn({3, 3, 64, 64});
    auto all = m->embedImage(pixels);
    for (int64_t i = 0; i < 3; ++i) {
        auto one = m->embedImage(pixels.slice(0, i, i + 1));
        EXPECT_TRUE(torch::allclose(one.embedding, all.embedding.slice(0, i, i + 1), 1e-4, 1e-5)) << "image " << i;
        EXPECT_TRUE(torch::allclose(one.featS0, all.featS0.slice(0, i, i + 1), 1e-4, 1e-5)) << "image " << i;
    }
    auto masks = (torch::rand({3, 1, 64, 64}) > 0.5).to(torch::kFloat32);
    auto boxes = torch::tensor({0.f, 0.f, 63.f, 63.f}).repeat({3, 1});
    auto z = m->encodeLatent(all, masks, boxes);
    auto rt = m->decodeLatent(all, z);
    auto pts = torch::rand({3, 2, 2}) * 64;
    auto labels = torch::tensor({1, 0}, torch::kInt64).repeat({3, 1});
    auto out = m->sam2->maskDecoder->forward(
        all.embedding, all.densePe, m->sam2->promptEncoder->embedPoints(pts, labels, true),
        m->sam2->promptEncoder->embedMasks(masks.slice(2, 0, 16).slice(3, 0, 16)), all.featS0, all.featS1);
    (rt.masks.sum() + rt.iou.sum() + rt.objectScore.sum() + out.masks.sum() + out.iouPred.sum() + out.objectScore.sum())
        .backward();
    for (const auto& p : m->named_parameters()) {
        if (!p.value().requires_grad()) continue;
        ASSERT_TRUE(p.value().grad().defined()) << p.key();
        EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
    }
}

// The aligned start (the trainer's default): each q_proj/k_proj pair is one
// orthogonal matrix, and through the decoder's first token-to-image attention
// the image's positional encoding scores its own cell highest, which a random
// start does not: a prompt points at its position from the first step.
namespace {

double shareOfCellsFindingThemselves(SamTokModelImpl& m) {
    torch::NoGradGuard noGrad;
    auto modules = m.named_modules();
    auto* attention = modules.find("model.sam2_model.sam_mask_decoder.transformer.layers.0.cross_attn_token_to_image");
    if (!attention) throw std::runtime_error("no decoder cross attention");
    auto attn = std::dynamic_pointer_cast<AttentionImpl>(*attention);
    auto pe = m.sam2->promptEncoder->denseImagePe();  // (1, C, e, e)
    const int64_t e = pe.size(2);
    auto rows = pe.flatten(2).transpose(1, 2);                                                    // (1, e*e, C)
    auto scores = attn->projectQ(rows).matmul(attn->projectK(rows).transpose(-1, -2)).sum(1)[0];  // (e*e, e*e)
    auto best = scores.argmax(1);
    auto self = torch::arange(e * e);
    auto near = ((best.remainder(e) - self.remainder(e)).abs() <= 1)
                    .logical_and((best.div(e, "floor") - self.div(e, "floor")).abs() <= 1);
    return near.to(torch::kFloat64).mean().item<double>();
}

}  // namespace

TEST(Trainer, AlignedAttentionStartsWithPositionsFindingThemselves) {
    const ModelConfig c = configFromJson(R"({
      "name": "aligned-test", "image_size": 256,
      "image_encoder": {"embed_dim": 8, "num_heads": 1, "stages": [1, 1, 1, 1], "global_att_blocks": [2],
                        "window_spec": [8, 4, 4, 2], "window_pos_embed_bkg_spatial_size": [7, 7], "q_pool": 3,
                        "d_model": 64},
      "prompt_encoder": {"mask_in_chans": 8},
      "mask_decoder": {"depth": 2, "mlp_dim": 64, "num_heads": 4, "iou_head_depth": 3, "iou_head_hidden_dim": 16},
      "mask_encoder": {"depth": 2, "mlp_dim": 64, "num_heads": 4, "num_mask_tokens": 1},
      "quantizer": {"codebook_size": 16, "codebook_depth": 2, "latent_dim": 64}
    })");
    torch::manual_seed(5);
    SamTokModel random(c), aligned(c);
    alignAttentionProjections(*aligned, 1.0);

    int pairs = 0;
    auto params = aligned->named_parameters();
    for (const auto& p : params) {
        const auto at = p.key().rfind("q_proj.weight");
        if (at == std::string::npos) continue;
        const auto& q = p.value();
        const auto& k = *params.find(p.key().substr(0, at) + "k_proj.weight");
        EXPECT_TRUE(torch::equal(q, k)) << p.key();
        // Orthogonal rows (internal <= dim): W W^T = I.
        EXPECT_TRUE(torch::allclose(q.matmul(q.t()), torch::eye(q.size(0)), 1e-4, 1e-4)) << p.key();
        EXPECT_EQ(params.find(p.key().substr(0, at) + "q_proj.bias")->abs().sum().item<double>(), 0.0);
        ++pairs;
    }
    // Decoder and mask encoder: depth 2 x 3 attentions + the final one, each.
    EXPECT_EQ(pairs, 2 * 7);

    const double alignedShare = shareOfCellsFindingThemselves(*aligned);
    const double randomShare = shareOfCellsFindingThemselves(*random);
    EXPECT_GT(alignedShare, 0.9) << "random start: " << randomShare;
    EXPECT_LT(randomShare, 0.5);
}
