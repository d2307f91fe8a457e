// Bulk annotation insert into a fresh project (target: >= 50,000 annotations/s).
#include "mask/CocoRle.h"
#include "mask/MaskCv.h"
#include "store/ProjectStore.h"

#include <opencv2/imgproc.hpp>

#include <benchmark/benchmark.h>
#include <filesystem>
#include <random>

using namespace samtok;

namespace {

void BM_BulkInsertAnnotations(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    // Realistic masks: blobs of varied size on a 640x480 image.
    std::mt19937 rng(1);
    std::vector<Rle> shapes;
    for (int i = 0; i < 64; ++i) {
        cv::Mat m = cv::Mat::zeros(480, 640, CV_8UC1);
        cv::ellipse(m, {static_cast<int>(rng() % 640), static_cast<int>(rng() % 480)},
                    {static_cast<int>(10 + rng() % 150), static_cast<int>(10 + rng() % 100)}, rng() % 180, 0, 360, 1,
                    -1);
        shapes.push_back(rle::encode(fromMat(m)));
    }
    const auto dir = std::filesystem::temp_directory_path() / "samtok-bench-store";
    for (auto _ : state) {
        state.PauseTiming();
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        auto store = std::make_unique<ProjectStore>(ProjectStore::create((dir / "b.samtok").string(), "bench"));
        std::vector<RowId> images;
        store->transaction([&] {
            for (int i = 0; i < 1000; ++i) {
                char sum[65];
                std::snprintf(sum, sizeof sum, "%064d", i);
                images.push_back(store->addImage({"/img/" + std::to_string(i) + ".jpg", 640, 480, sum}));
            }
        });
        std::vector<Annotation> anns(n);
        for (std::size_t i = 0; i < n; ++i) {
            anns[i].imageId = images[i % images.size()];
            anns[i].mask = shapes[i % shapes.size()];
            anns[i].source = AnnotationSource::Import;
        }
        state.ResumeTiming();
        benchmark::DoNotOptimize(store->addAnnotations(anns));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
    std::filesystem::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_BulkInsertAnnotations)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);
