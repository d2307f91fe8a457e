// What one edit costs the studio's worker with the official tokenizer's size:
// a random-weight Hiera-L SAMTok checkpoint (about 900 MB) is written once and
// loaded once (ActiveModel hashes it there, once). Each iteration is what the
// worker does after an accepted or painted region: the edit is committed, and
// the region gets its two tokens on the cached image embedding, in the store
// the worker keeps open. The counters say what the old worker paid on top of
// that for every edit: re-hashing the checkpoint and reopening the project.
//   build/bench/samtok_bench_edit            (about 3 minutes on 2 cores, 4 GB of memory)
#include "edit/RegionEdit.h"
#include "model/Runtime.h"
#include "pipeline/ActiveModel.h"
#include "pipeline/ProjectTokenizer.h"
#include "store/ProjectStore.h"
#include "train/Trainer.h"
#include "util/Checksum.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace samtok;

namespace {

double secondsOf(const std::function<void()>& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Fixture {
    fs::path dir;
    std::unique_ptr<pipeline::ActiveModel> model;
    std::unique_ptr<ProjectStore> store;
    RowId image = 0, tokenizerRow = 0;
    std::shared_ptr<const model::ImageEmbedding> embedding;
    double checkpointMb = 0, loadSeconds = 0, hashSeconds = 0, openMs = 0, embedSeconds = 0;

    Fixture() {
        runtime::configure(0);
        dir = fs::temp_directory_path() / ("samtok-edit-bench-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        const std::string checkpoint = (dir / "hiera-large-random.safetensors").string();
        {
            model::TrainOptions o;
            o.config = model::builtinConfig("sam2.1_hiera_large");
            o.runDir = (dir / "run").string();
            model::Trainer(o, {}).exportModel(checkpoint);
        }
        checkpointMb = static_cast<double>(fs::file_size(checkpoint)) / 1e6;
        pipeline::ModelRequest request;
        request.model = checkpoint;
        request.config = "sam2.1_hiera_large";
        loadSeconds = secondsOf([&] { model = pipeline::ActiveModel::load(request); });
        hashSeconds = secondsOf([&] { benchmark::DoNotOptimize(sha256File(checkpoint)); });

        const std::string photo = (dir / "photo.png").string();
        cv::Mat bgr(768, 1024, CV_8UC3);
        cv::randu(bgr, 0, 255);
        cv::imwrite(photo, bgr);
        const std::string project = (dir / "bench.samtok").string();
        ProjectStore::create(project, "bench").addImage({photo, 1024, 768, sha256File(photo)});
        openMs = 1000 * secondsOf([&] { store = std::make_unique<ProjectStore>(ProjectStore::open(project)); });
        image = store->images().front().id;
        tokenizerRow = model->rowIn(*store);
        embedSeconds =
            secondsOf([&] { embedding = pipeline::embedImageFile(model->tokenizer(), *store->image(image), photo); });
    }
    ~Fixture() {
        store.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

void BM_EditThenTokensHieraLarge(benchmark::State& state) {
    static Fixture f;
    int n = 0;
    for (auto _ : state) {
        Mask m(768, 1024);
        cv::Mat view(768, 1024, CV_8U, m.data());
        cv::circle(view, {200 + 60 * (n % 10), 300}, 40 + n % 7, 1, cv::FILLED);
        Annotation a;
        a.imageId = f.image;
        a.mask = rle::encode(m);
        a.source = AnnotationSource::Brush;
        edit::RegionEdit e = edit::createRegion("Paint", a);
        edit::commitEdit(*f.store, e);
        const auto tokenized =
            pipeline::tokenizeImage(*f.store, f.model->tokenizer(), f.tokenizerRow, f.image,
                                    [&](const ImageRecord&, const std::string&) { return f.embedding; });
        if (tokenized != 1) state.SkipWithError("the edited region got no tokens");
        ++n;
    }
    state.counters["checkpoint_MB"] = f.checkpointMb;
    state.counters["load_s"] = f.loadSeconds;
    state.counters["rehash_s_per_edit_before"] = f.hashSeconds;
    state.counters["reopen_ms_per_edit_before"] = f.openMs;
    state.counters["embed_once_s"] = f.embedSeconds;
}
BENCHMARK(BM_EditThenTokensHieraLarge)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
