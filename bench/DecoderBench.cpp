// The heads that run on every click and every decode, on a cached and prepared
// image embedding: SAMTok's decode (two codes -> mask) and SAM2's prompt path, with
// random weights and random features of the configured sizes (no trunk run).
//   build/bench/samtok_bench_model [--benchmark_filter=large]
#include "model/MaskUpsample.h"
#include "model/ModelConfig.h"
#include "model/Runtime.h"
#include "model/nn/SamTokModel.h"

#include <benchmark/benchmark.h>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace {
using namespace samtok::model;

struct Fixture {
    SamTokModel model{nullptr};
    ImageFeatures raw;       // as embedImage returns them
    ImageFeatures features;  // prepared, as the tokenizer keeps them
};

Fixture& fixture(const std::string& name) {
    static std::map<std::string, std::unique_ptr<Fixture>> made;
    auto& f = made[name];
    if (f) return *f;
    samtok::runtime::configure(0);
    torch::manual_seed(0);
    f = std::make_unique<Fixture>();
    ModelConfig c;
    if (name == "micro") {
        std::ifstream in(SAMTOK_MICRO_CONFIG);
        std::stringstream text;
        text << in.rdbuf();
        c = configFromJson(text.str());
    } else {
        c = builtinConfig(name);
    }
    f->model = SamTokModel(c);
    f->model->eval();
    const int64_t d = c.dModel, e = c.embeddingSize();
    torch::InferenceMode guard;
    f->raw.embedding = torch::randn({1, d, e, e});
    f->raw.featS0 = torch::randn({1, d / 8, 4 * e, 4 * e});
    f->raw.featS1 = torch::randn({1, d / 4, 2 * e, 2 * e});
    f->raw.densePe = f->model->sam2->promptEncoder->denseImagePe();
    f->features = f->raw;
    f->model->prepareDecoder(f->features);
    return *f;
}

void decodeTwoCodes(benchmark::State& state, const std::string& name, bool prepared) {
    auto& f = fixture(name);
    torch::InferenceMode guard;
    const auto zq = f.model->quantizer->embedCodes(torch::tensor({{1, 2}}, torch::kInt64), false);
    const ImageFeatures& features = prepared ? f.features : f.raw;
    for (auto _ : state) benchmark::DoNotOptimize(f.model->decodeLatent(features, zq).bestMask);
}

void prepare(benchmark::State& state, const std::string& name) {
    auto& f = fixture(name);
    torch::InferenceMode guard;
    for (auto _ : state) {
        ImageFeatures g = f.raw;
        f.model->prepareDecoder(g);
        benchmark::DoNotOptimize(g.prepared);
    }
}

void click(benchmark::State& state, const std::string& name, bool previousMask) {
    auto& f = fixture(name);
    torch::InferenceMode guard;
    const auto points = torch::tensor({{{300.0f, 200.0f}, {500.0f, 420.0f}}});
    const auto labels = torch::tensor({{1, 0}}, torch::kInt64);
    const int64_t m = f.model->config().lowResMaskSize();
    const auto previous = previousMask ? torch::randn({1, 1, m, m}) : torch::Tensor();
    for (auto _ : state)
        benchmark::DoNotOptimize(f.model->segment(f.features, points, labels, previous, true).bestMask);
}

// One candidate's low-res logits -> its 0/1 mask at the image size: LibTorch's
// bilinear F::interpolate with threshold and copy, against the tokenizer's one-pass
// upsampleAndThreshold (here on one thread; the tokenizer splits rows over threads).
void maskAtImageSize(benchmark::State& state, bool onePass) {
    samtok::runtime::configure(0);
    const int low = static_cast<int>(state.range(0)), w = static_cast<int>(state.range(1)),
              h = static_cast<int>(state.range(2));
    torch::manual_seed(0);
    const auto logits = torch::randn({1, 1, low, low});
    torch::InferenceMode guard;
    for (auto _ : state) {
        if (onePass) {
            benchmark::DoNotOptimize(upsampleAndThreshold(logits.data_ptr<float>(), low, low, w, h, 0.f));
        } else {
            namespace F = torch::nn::functional;
            const auto bin = F::interpolate(logits, F::InterpolateFuncOptions()
                                                        .size(std::vector<int64_t>{h, w})
                                                        .mode(torch::kBilinear)
                                                        .align_corners(false))
                                 .gt(0.0)
                                 .to(torch::kUInt8)
                                 .contiguous();
            std::vector<std::uint8_t> mask(bin.data_ptr<std::uint8_t>(), bin.data_ptr<std::uint8_t>() + bin.numel());
            benchmark::DoNotOptimize(mask);
        }
    }
}

}  // namespace

BENCHMARK_CAPTURE(maskAtImageSize, torch, false)
    ->Args({64, 640, 480})
    ->Args({64, 4032, 3024})
    ->Args({256, 4032, 3024})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(maskAtImageSize, one_pass, true)
    ->Args({64, 640, 480})
    ->Args({64, 4032, 3024})
    ->Args({256, 4032, 3024})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decodeTwoCodes, large, "sam2.1_hiera_large", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decodeTwoCodes, large_unprepared, "sam2.1_hiera_large", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(prepare, large, "sam2.1_hiera_large")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(click, large, "sam2.1_hiera_large", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(click, large_with_previous_mask, "sam2.1_hiera_large", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decodeTwoCodes, micro, "micro", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(click, micro, "micro", false)->Unit(benchmark::kMillisecond);
