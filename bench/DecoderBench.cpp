// The heads that run on every click and every decode, on a cached and prepared
// image embedding: SAMTok's decode (two codes -> mask) and SAM2's prompt path, with
// random weights and random features of the configured sizes (no trunk run).
//   build/bench/samtok_bench_model [--benchmark_filter=large]
#include "model/ModelConfig.h"
#include "model/Runtime.h"
#include "model/SamTokModel.h"

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

}  // namespace

BENCHMARK_CAPTURE(decodeTwoCodes, large, "sam2.1_hiera_large", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decodeTwoCodes, large_unprepared, "sam2.1_hiera_large", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(prepare, large, "sam2.1_hiera_large")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(click, large, "sam2.1_hiera_large", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(click, large_with_previous_mask, "sam2.1_hiera_large", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decodeTwoCodes, micro, "micro", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(click, micro, "micro", false)->Unit(benchmark::kMillisecond);
