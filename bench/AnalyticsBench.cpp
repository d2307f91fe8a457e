// The analytics' one query and its histograms over a large project: the
// studio runs it on the UI thread (debounced) while tokens arrive.
#include "analytics/TokenStats.h"
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <benchmark/benchmark.h>
#include <filesystem>
#include <random>

using namespace samtok;

namespace {

void BM_TokenStatsOverProject(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto dir = std::filesystem::temp_directory_path() / "samtok-bench-analytics";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto store = ProjectStore::create((dir / "b.samtok").string(), "bench");
    std::vector<RowId> images;
    store.transaction([&] {
        for (int i = 0; i < 1000; ++i) {
            char sum[65];
            std::snprintf(sum, sizeof sum, "%064d", i);
            images.push_back(store.addImage({"/img/" + std::to_string(i) + ".jpg", 64, 48, sum}));
        }
    });
    Mask square(48, 64);
    for (int y = 4; y < 20; ++y)
        for (int x = 4; x < 30; ++x) square.set(y, x, true);
    std::vector<Annotation> anns(n);
    for (std::size_t i = 0; i < n; ++i) {
        anns[i].imageId = images[i % images.size()];
        anns[i].mask = rle::encode(square);
        anns[i].source = AnnotationSource::Import;
    }
    const auto ids = store.addAnnotations(anns);
    const RowId tok = store.registerTokenizer({0, "bench", R"({"codebook_size":256})", std::string(64, 'b')});
    std::mt19937 rng(1);
    store.transaction([&] {
        for (RowId id : ids)
            store.setTokens(
                {id, tok, {static_cast<int>(rng() % 256), static_cast<int>(rng() % 256)}, (rng() % 1001) / 1000.0, 0});
    });
    for (auto _ : state) {
        const auto stats = analytics::collectTokenStats(store, tok, 256);
        benchmark::DoNotOptimize(analytics::iouHistogram(stats.regions, 20));
        benchmark::DoNotOptimize(analytics::lowestIou(stats.regions, 200));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
    std::filesystem::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_TokenStatsOverProject)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);
