// Dataset throughput on this machine's scale (targets: importing 100,000 COCO
// annotations <= 10 s; exporting 100,000 records <= 10 s).
//   build/bench/samtok_bench_core --benchmark_filter='Coco|Export'
#include "dataset/Import.h"
#include "export/Export.h"
#include "mask/CocoRle.h"
#include "mask/MaskCv.h"
#include "store/ProjectStore.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <benchmark/benchmark.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

using namespace samtok;
namespace fs = std::filesystem;

namespace {

constexpr int kImages = 1000;
constexpr int kPerImage = 100;  // 100,000 annotations

fs::path benchDir(const char* name) {
    const fs::path d = fs::temp_directory_path() / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// 1000 photos-sized JPEGs and a COCO file of 100 polygon instances each (COCO's usual form).
void writeCocoFixture(const fs::path& dir) {
    std::mt19937 rng(7);
    nlohmann::json images = nlohmann::json::array(), anns = nlohmann::json::array();
    cv::Mat img(480, 640, CV_8UC3);
    for (int i = 0; i < kImages; ++i) {
        img.setTo(cv::Scalar(i % 255, (i * 7) % 255, (i * 13) % 255));
        const std::string name = std::to_string(i) + ".jpg";
        cv::imwrite((dir / name).string(), img);
        images.push_back({{"id", i}, {"file_name", name}, {"width", 640}, {"height", 480}});
        for (int k = 0; k < kPerImage; ++k) {
            const double cx = 40 + rng() % 560, cy = 40 + rng() % 400, r = 8 + rng() % 30;
            std::vector<double> poly;
            for (int v = 0; v < 16; ++v) {
                const double a = v * 2 * M_PI / 16, rr = r * (0.7 + 0.3 * ((rng() % 100) / 100.0));
                poly.push_back(cx + rr * std::cos(a));
                poly.push_back(cy + rr * std::sin(a));
            }
            anns.push_back({{"id", i * kPerImage + k},
                            {"image_id", i},
                            {"category_id", 1 + k % 5},
                            {"iscrowd", 0},
                            {"segmentation", {poly}}});
        }
    }
    nlohmann::json cats = nlohmann::json::array();
    for (int c = 1; c <= 5; ++c) cats.push_back({{"id", c}, {"name", "class" + std::to_string(c)}});
    std::ofstream(dir / "instances.json")
        << nlohmann::json{{"images", images}, {"annotations", anns}, {"categories", cats}}.dump();
}

void BM_ImportCoco100k(benchmark::State& state) {
    const fs::path dir = benchDir("samtok-bench-coco");
    writeCocoFixture(dir);
    for (auto _ : state) {
        state.PauseTiming();
        fs::remove(dir / "p.samtok");
        auto store = ProjectStore::create((dir / "p.samtok").string(), "bench");
        state.ResumeTiming();
        const auto r = dataset::importCoco(store, (dir / "instances.json").string(), dir.string());
        if (r.annotationsAdded + r.duplicates != kImages * kPerImage)
            state.SkipWithError("not every annotation was imported");
    }
    state.SetItemsProcessed(state.iterations() * kImages * kPerImage);
    fs::remove_all(dir);
}

// 100,000 regions with one referring expression and tokens each: 100,000 refseg records.
void BM_Export100k(benchmark::State& state) {
    const fs::path dir = benchDir("samtok-bench-export");
    auto store = ProjectStore::create((dir / "p.samtok").string(), "bench");
    const RowId tokenizer =
        store.registerTokenizer({0, "bench", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'e')});
    std::vector<Rle> shapes;
    std::mt19937 rng(3);
    for (int i = 0; i < 64; ++i) {
        cv::Mat m = cv::Mat::zeros(480, 640, CV_8UC1);
        cv::circle(m, {static_cast<int>(40 + rng() % 560), static_cast<int>(40 + rng() % 400)},
                   static_cast<int>(5 + rng() % 40), 1, -1);
        shapes.push_back(rle::encode(fromMat(m)));
    }
    store.transaction([&] {
        std::vector<Annotation> anns;
        for (int i = 0; i < kImages; ++i) {
            char sum[65];
            std::snprintf(sum, sizeof sum, "%064d", i);
            const RowId image = store.addImage({(dir / (std::to_string(i) + ".jpg")).string(), 640, 480, sum});
            for (int k = 0; k < kPerImage; ++k) {
                Annotation a;
                a.imageId = image;
                a.mask = shapes[static_cast<std::size_t>(k) % shapes.size()];
                a.source = AnnotationSource::Import;
                anns.push_back(std::move(a));
            }
        }
        const auto ids = store.addAnnotations(anns);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            store.addReferringExpression(ids[i], "object number " + std::to_string(i));
            store.setTokens(
                {ids[i], tokenizer, {static_cast<int>(i % 256), static_cast<int>((i / 256) % 256)}, 0.8, 0});
        }
    });
    exporter::ExportOptions o;
    o.outDir = (dir / "out").string();
    o.tokenizerId = tokenizer;
    o.tasks = {exporter::Task::RefSeg};
    o.paths = exporter::PathPolicy::Absolute;  // the images are not on disk: measure the records, not copying
    for (auto _ : state) {
        const auto r = exporter::exportDataset(store, o);
        if (r.total() != kImages * kPerImage) state.SkipWithError("not every record was written");
    }
    state.SetItemsProcessed(state.iterations() * kImages * kPerImage);
    fs::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_ImportCoco100k)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_Export100k)->Unit(benchmark::kSecond)->Iterations(1);
