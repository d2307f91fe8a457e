// How long `samtok tokens merge` takes for a project of 100,000 regions: a project of 1,000 images with 100
// regions each, 16 finished shard files of their tokens (written here in the documented format, see
// pipeline/Shards.h), then the merge and a second, idempotent merge.
//   build/bench/samtok_bench_merge [--benchmark_repetitions=3]
#include "mask/CocoRle.h"
#include "pipeline/Shards.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"

#include <nlohmann/json.hpp>

#include <benchmark/benchmark.h>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace samtok;

namespace {

constexpr int kImages = 1000, kRegionsPerImage = 100, kShards = 16;

struct Fixture {
    fs::path dir = fs::temp_directory_path() / "samtok-bench-merge";
    std::string project = (dir / "p.samtok").string(), shards = (dir / "shards").string();

    Fixture() {
        fs::remove_all(dir);
        fs::create_directories(shards);
        ProjectStore store = ProjectStore::create(project, "merge bench");
        std::vector<std::ofstream> files;
        const std::string sha(64, 'c');
        for (int k = 0; k < kShards; ++k) {
            files.emplace_back(fs::path(shards) / pipeline::shardFileName(sha, {k, kShards}));
            files.back() << nlohmann::json{{"samtok_shard", 1},
                                           {"shard", k},
                                           {"shards", kShards},
                                           {"tokenizer", {{"name", "bench"}, {"sha256", sha}, {"config", "{}"}}},
                                           {"images", 0}}
                                .dump()
                         << "\n";
        }
        std::vector<int> perShard(kShards, 0);
        store.transaction([&] {
            for (int i = 0; i < kImages; ++i) {
                const std::string checksum = sha256Bytes(&i, sizeof i);
                const RowId image = store.addImage({"img" + std::to_string(i) + ".jpg", 64, 48, checksum});
                nlohmann::json line{{"image", image}, {"checksum", checksum}, {"tokens", nlohmann::json::array()}};
                for (int r = 0; r < kRegionsPerImage; ++r) {
                    Mask m(48, 64);
                    for (int y = r % 40; y < r % 40 + 8; ++y)
                        for (int x = r % 50; x < r % 50 + 12; ++x) m.set(y, x, true);
                    Annotation a;
                    a.imageId = image;
                    a.mask = rle::encode(m);
                    a.id = store.addAnnotation(a);
                    line["tokens"].push_back({a.id, r % 256, (r * 7) % 256, 0.5, pipeline::maskDigest(a)});
                }
                const int k = pipeline::shardOf(checksum, kShards);
                files[static_cast<std::size_t>(k)] << line.dump() << "\n";
                ++perShard[static_cast<std::size_t>(k)];
            }
        });
        for (int k = 0; k < kShards; ++k)
            files[static_cast<std::size_t>(k)]
                << nlohmann::json{{"done", true}, {"images", perShard[static_cast<std::size_t>(k)]}}.dump() << "\n";
    }
};

void BM_Merge100kRegions(benchmark::State& state) {
    static Fixture f;  // built once: 100,000 regions
    for (auto _ : state) {
        ProjectStore store = ProjectStore::open(f.project);
        const auto r = pipeline::mergeShards(store, f.shards);
        if (r.annotations != static_cast<std::size_t>(kImages) * kRegionsPerImage)
            state.SkipWithError("not every region was merged");
    }
    state.counters["regions"] = kImages * kRegionsPerImage;
}
BENCHMARK(BM_Merge100kRegions)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
