// samtok eval: round-trip quality of a tokenizer and click-to-mask quality of
// its prompt path on folders of images with ground-truth masks, with the
// standard protocol of ../shared/data/README.md.
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "cli/Progress.h"
#include "dataset/MaskFolder.h"
#include "eval/ClickProtocol.h"
#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "mask/MaskMetrics.h"
#include "store/AddImages.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>
#include <set>

namespace fs = std::filesystem;

namespace samtok::cli {
namespace {

struct EvalOptions {
    ModelOptions model;
    std::string images, masks;
    bool instances = false;
    int ignoreValue = -1;
    int maxClicks = 20;
    bool noClicks = false;
    int limit = 0;
    int search = 1;
    bool json = false;
};

struct Instance {
    Mask mask;
    Mask ignore;  // may be null
};

std::vector<Instance> readInstances(const fs::path& file, const EvalOptions& o) {
    const cv::Mat labels = readLabelMap(file.string());
    const Mask ignore = dataset::ignoreRegion(labels, o.ignoreValue);
    std::vector<Instance> out;
    for (auto& r : dataset::splitLabelMap(labels, {o.instances, o.ignoreValue}))
        out.push_back({std::move(r.mask), ignore});
    return out;
}

Mask boxMask(const Mask& m) {
    Mask out(m.height(), m.width());
    const PixelBox b = m.boundingBox();
    for (int y = b.y; y < b.y + b.height; ++y)
        for (int x = b.x; x < b.x + b.width; ++x) out.set(y, x, true);
    return out;
}

double mean(const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

void evaluate(const EvalOptions& o) {
    auto pairs = dataset::pairImagesWithMasks(o.images, o.masks);
    if (o.limit > 0 && pairs.size() > static_cast<std::size_t>(o.limit))
        pairs.resize(static_cast<std::size_t>(o.limit));

    const auto active = loadModel(o.model);
    const model::Tokenizer* tok = &active->tokenizer();
    const bool clicks = !o.noClicks && tok->info().canPrompt;
    std::vector<double> roundTrip, bestCandidate, boxBaseline, noc85, noc90;
    std::vector<std::vector<double>> iouAtClick(static_cast<std::size_t>(o.maxClicks));
    nlohmann::json perInstance = nlohmann::json::array();
    int skipped = 0;
    Progress progress("eval");
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        progress.update(i, pairs.size());
        const fs::path imagePath = pairs[i].image, maskPath = pairs[i].mask;
        const DecodedImage img = readImage(imagePath.string());
        const auto inst = readInstances(maskPath, o);
        if (!inst.empty() && (inst[0].mask.width() != img.rgb.cols || inst[0].mask.height() != img.rgb.rows)) {
            std::fprintf(stderr, "samtok: skipping '%s': mask size differs from the image\n", maskPath.c_str());
            ++skipped;
            continue;
        }
        if (inst.empty()) continue;
        const auto emb = tok->embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
        std::vector<model::MaskView> views;
        for (const auto& m : inst) views.push_back({m.mask.data(), m.mask.width(), m.mask.height()});
        std::vector<model::CodePair> codes;
        std::vector<model::DecodedMask> decoded;
        if (tok->info().canTokenize) {
            codes = tok->encodeSearched(*emb, views, o.search);
            decoded = tok->decode(*emb, codes);
        }
        for (std::size_t k = 0; k < inst.size(); ++k) {
            const Mask* ignore = inst[k].ignore.isNull() ? nullptr : &inst[k].ignore;
            nlohmann::json row{{"image", imagePath.string()}, {"mask", maskPath.string()}, {"instance", k}};
            boxBaseline.push_back(maskIou(inst[k].mask, boxMask(inst[k].mask), ignore));
            row["bbox_iou"] = boxBaseline.back();
            if (!decoded.empty()) {
                const Mask back(decoded[k].height, decoded[k].width, decoded[k].mask);
                roundTrip.push_back(maskIou(inst[k].mask, back, ignore));
                row["c0"] = codes[k].c0, row["c1"] = codes[k].c1, row["round_trip_iou"] = roundTrip.back();
                // The decode returns the candidate its IoU head ranks first: how good was the best one? (One
                // pair at a time, where the decode above ran as a batch: a pixel at the threshold may differ.)
                double best = 0;
                for (const auto& c : tok->decodeCandidates(*emb, codes[k]).masks)
                    best = std::max(best, maskIou(inst[k].mask, Mask(c.height, c.width, c.mask), ignore));
                bestCandidate.push_back(best);
                row["best_candidate_iou"] = best;
            }
            if (clicks) {
                model::Prompt prompt;
                Mask prediction(inst[k].mask.height(), inst[k].mask.width());
                std::vector<double> ious;
                for (int c = 0; c < o.maxClicks; ++c) {
                    const auto click = eval::nextClick(inst[k].mask, prediction, ignore);
                    if (!click || (c >= 5 && ious.back() >= 0.9)) {  // done: later IoUs stay where they are
                        ious.push_back(ious.empty() ? 0.0 : ious.back());
                        continue;
                    }
                    prompt.points.push_back({click->x + 0.5f, click->y + 0.5f, click->positive});
                    prompt.multimask = prompt.points.size() == 1;
                    auto candidates = tok->segment(*emb, prompt);
                    prediction = Mask(candidates[0].mask.height, candidates[0].mask.width, candidates[0].mask.mask);
                    prompt.previousLowRes = std::move(candidates[0].lowResLogits);
                    ious.push_back(maskIou(inst[k].mask, prediction, ignore));
                }
                for (std::size_t c = 0; c < ious.size(); ++c) iouAtClick[c].push_back(ious[c]);
                noc85.push_back(eval::clicksToReach(ious, 0.85, o.maxClicks));
                noc90.push_back(eval::clicksToReach(ious, 0.90, o.maxClicks));
                row["noc85"] = noc85.back(), row["noc90"] = noc90.back(), row["iou_per_click"] = ious;
            }
            perInstance.push_back(std::move(row));
        }
    }
    progress.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const std::vector<double> thresholds{0.5, 0.75, 0.9};
    nlohmann::json summary{{"images", pairs.size() - static_cast<std::size_t>(skipped)},
                           {"instances", perInstance.size()},
                           {"skipped_images", skipped},
                           {"model", tok->info().checkpoint},
                           {"seconds", seconds},
                           {"bbox_baseline_miou", mean(boxBaseline)}};
    if (!roundTrip.empty()) {
        const auto shares = eval::shareAtLeast(roundTrip, thresholds);
        summary["round_trip"] = {{"miou", mean(roundTrip)}, {"share_0.5", shares[0]},
                                 {"share_0.75", shares[1]}, {"share_0.9", shares[2]},
                                 {"search", o.search},      {"best_candidate_miou", mean(bestCandidate)}};
    }
    if (!noc85.empty())
        summary["clicks"] = {{"noc85", mean(noc85)},
                             {"noc90", mean(noc90)},
                             {"miou_1", mean(iouAtClick[0])},
                             {"miou_3", o.maxClicks >= 3 ? mean(iouAtClick[2]) : 0.0},
                             {"miou_5", o.maxClicks >= 5 ? mean(iouAtClick[4]) : 0.0},
                             {"max_clicks", o.maxClicks}};
    if (o.json) {
        std::cout << nlohmann::json{{"summary", summary}, {"instances", perInstance}}.dump(2) << "\n";
        return;
    }
    std::printf("images %zu, instances %zu (%.1f s)\n", pairs.size() - static_cast<std::size_t>(skipped),
                perInstance.size(), seconds);
    if (!roundTrip.empty()) {
        const auto& r = summary["round_trip"];
        std::printf(
            "round trip    mIoU %.3f   >=0.5 %.1f%%   >=0.75 %.1f%%   >=0.9 %.1f%%%s\n", r["miou"].get<double>(),
            100 * r["share_0.5"].get<double>(), 100 * r["share_0.75"].get<double>(), 100 * r["share_0.9"].get<double>(),
            o.search > 1
                ? ("   (codes searched, " + std::to_string(o.search) + " x " + std::to_string(o.search) + ")").c_str()
                : "");
        std::printf(
            "              mIoU %.3f with the best of the decoder's candidates (it returns the one it ranks first)\n",
            r["best_candidate_miou"].get<double>());
    }
    std::printf("bbox baseline mIoU %.3f\n", mean(boxBaseline));
    if (!noc85.empty()) {
        const auto& c = summary["clicks"];
        std::printf("clicks        NoC@85 %.2f   NoC@90 %.2f   mIoU@1 %.3f   mIoU@3 %.3f   mIoU@5 %.3f\n",
                    c["noc85"].get<double>(), c["noc90"].get<double>(), c["miou_1"].get<double>(),
                    c["miou_3"].get<double>(), c["miou_5"].get<double>());
    }
}

}  // namespace

void addEvalCommands(CLI::App& app) {
    auto o = std::make_shared<EvalOptions>();
    auto* cmd = app.add_subcommand("eval", "Round-trip and click-to-mask quality on images with ground-truth masks");
    addModelOptions(cmd, o->model, /*required=*/false);
    cmd->add_option("--images", o->images, "Folder of images (searched recursively)")->required();
    cmd->add_option("--masks", o->masks, "Folder of masks, paired with images by relative path and stem")->required();
    cmd->add_flag("--instances", o->instances, "Each non-zero value (or palette index) of a mask is one instance");
    cmd->add_option("--ignore-value", o->ignoreValue, "Mask value excluded from IoU (GrabCut: 128)");
    cmd->add_option("--max-clicks", o->maxClicks, "Click budget per instance (NoC cap)")
        ->capture_default_str()
        ->check(CLI::Range(5, 100));
    cmd->add_flag("--no-clicks", o->noClicks, "Skip the click protocol");
    cmd->add_option("--limit", o->limit, "Evaluate only the first N pairs");
    addSearchOption(cmd, o->search);
    cmd->add_flag("--json", o->json, "Print JSON with a summary and every instance");
    cmd->callback([o] { evaluate(*o); });
}

}  // namespace samtok::cli
