#include "eval/Evaluation.h"

#include "dataset/MaskFolder.h"
#include "eval/ClickProtocol.h"
#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "mask/MaskMetrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;

namespace samtok::eval {

namespace {

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

template <class F>
double meanOf(const std::vector<InstanceResult>& rows, F value) {
    double sum = 0;
    std::size_t n = 0;
    for (const auto& r : rows)
        if (const std::optional<double> v = value(r)) sum += *v, ++n;
    return n ? sum / static_cast<double>(n) : 0.0;
}

// The click protocol on one instance: IoU after each click, the previous low-resolution mask fed back.
std::vector<double> clickIous(const model::Tokenizer& tok, const model::ImageEmbedding& emb, const Mask& truth,
                              const Mask* ignore, int maxClicks) {
    model::Prompt prompt;
    Mask prediction(truth.height(), truth.width());
    std::vector<double> ious;
    for (int c = 0; c < maxClicks; ++c) {
        const auto click = nextClick(truth, prediction, ignore);
        if (!click || (c >= 5 && ious.back() >= 0.9)) {  // done: later IoUs stay where they are
            ious.push_back(ious.empty() ? 0.0 : ious.back());
            continue;
        }
        prompt.points.push_back({click->x + 0.5f, click->y + 0.5f, click->positive});
        prompt.multimask = prompt.points.size() == 1;
        auto candidates = tok.segment(emb, prompt);
        prediction = Mask(candidates[0].mask.height, candidates[0].mask.width, candidates[0].mask.mask);
        prompt.previousLowRes = std::move(candidates[0].lowResLogits);
        ious.push_back(maskIou(truth, prediction, ignore));
    }
    return ious;
}

// The round trip of every instance of one image (one batch), and the best candidate of each.
void roundTrip(const model::Tokenizer& tok, const model::ImageEmbedding& emb, const std::vector<Instance>& inst,
               int search, std::vector<InstanceResult>& rows) {
    std::vector<model::MaskView> views;
    for (const auto& m : inst) views.push_back({m.mask.data(), m.mask.width(), m.mask.height()});
    const std::vector<TokenPair> codes = tok.encodeSearched(emb, views, search);
    const auto decoded = tok.decode(emb, codes);
    for (std::size_t k = 0; k < inst.size(); ++k) {
        const Mask* ignore = inst[k].ignore.isNull() ? nullptr : &inst[k].ignore;
        InstanceResult& row = rows[rows.size() - inst.size() + k];
        row.codes = codes[k];
        row.roundTripIou = maskIou(inst[k].mask, Mask(decoded[k].height, decoded[k].width, decoded[k].mask), ignore);
        // The decode returns the candidate its IoU head ranks first: how good was the best one? (One
        // pair at a time, where the decode above ran as a batch: a pixel at the threshold may differ.)
        double best = 0;
        for (const auto& c : tok.decodeCandidates(emb, codes[k]).masks)
            best = std::max(best, maskIou(inst[k].mask, Mask(c.height, c.width, c.mask), ignore));
        row.bestCandidateIou = best;
    }
}

}  // namespace

EvalReport evaluate(const model::Tokenizer& tok, const EvalOptions& o, const EvalProgress& progress) {
    auto pairs = dataset::pairImagesWithMasks(o.images, o.masks);
    if (o.limit > 0 && pairs.size() > static_cast<std::size_t>(o.limit))
        pairs.resize(static_cast<std::size_t>(o.limit));
    EvalReport report;
    report.model = tok.info().checkpoint;
    report.search = o.search;
    report.maxClicks = o.maxClicks;
    const bool clicks = o.clicks && tok.info().canPrompt;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (progress) progress(i, pairs.size());
        const fs::path imagePath = pairs[i].image, maskPath = pairs[i].mask;
        const DecodedImage img = readImage(imagePath.string());
        const auto inst = readInstances(maskPath, o);
        if (!inst.empty() && (inst[0].mask.width() != img.rgb.cols || inst[0].mask.height() != img.rgb.rows)) {
            report.warnings.push_back("skipping '" + maskPath.string() + "': mask size differs from the image");
            ++report.skippedImages;
            continue;
        }
        ++report.images;
        if (inst.empty()) continue;
        const auto emb = tok.embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
        for (std::size_t k = 0; k < inst.size(); ++k) {
            const Mask* ignore = inst[k].ignore.isNull() ? nullptr : &inst[k].ignore;
            InstanceResult row;
            row.image = imagePath.string();
            row.mask = maskPath.string();
            row.instance = static_cast<int>(k);
            row.bboxIou = maskIou(inst[k].mask, boxMask(inst[k].mask), ignore);
            if (clicks) {
                row.iouPerClick = clickIous(tok, *emb, inst[k].mask, ignore, o.maxClicks);
                row.noc85 = clicksToReach(row.iouPerClick, 0.85, o.maxClicks);
                row.noc90 = clicksToReach(row.iouPerClick, 0.90, o.maxClicks);
            }
            report.instances.push_back(std::move(row));
        }
        if (tok.info().canTokenize) roundTrip(tok, *emb, inst, o.search, report.instances);
    }
    if (progress) progress(pairs.size(), pairs.size());
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

double EvalReport::bboxBaselineMiou() const {
    return meanOf(instances, [](const InstanceResult& r) { return std::optional<double>(r.bboxIou); });
}
bool EvalReport::hasRoundTrip() const {
    return std::any_of(instances.begin(), instances.end(), [](const auto& r) { return r.roundTripIou.has_value(); });
}
double EvalReport::roundTripMiou() const {
    return meanOf(instances, [](const InstanceResult& r) { return r.roundTripIou; });
}
double EvalReport::bestCandidateMiou() const {
    return meanOf(instances, [](const InstanceResult& r) { return r.bestCandidateIou; });
}
double EvalReport::roundTripShareAtLeast(double threshold) const {
    std::vector<double> v;
    for (const auto& r : instances)
        if (r.roundTripIou) v.push_back(*r.roundTripIou);
    return v.empty() ? 0.0 : shareAtLeast(v, {threshold}).front();
}
bool EvalReport::hasClicks() const {
    return std::any_of(instances.begin(), instances.end(), [](const auto& r) { return !r.iouPerClick.empty(); });
}
double EvalReport::meanNoc(double threshold) const {
    return meanOf(instances, [threshold](const InstanceResult& r) {
        if (r.iouPerClick.empty()) return std::optional<double>();
        return std::optional<double>(threshold >= 0.9 ? r.noc90 : r.noc85);
    });
}
double EvalReport::miouAfterClicks(int k) const {
    if (k < 1 || k > maxClicks) return 0.0;
    return meanOf(instances, [k](const InstanceResult& r) {
        if (r.iouPerClick.size() < static_cast<std::size_t>(k)) return std::optional<double>();
        return std::optional<double>(r.iouPerClick[static_cast<std::size_t>(k - 1)]);
    });
}

nlohmann::json toJson(const EvalReport& r) {
    nlohmann::json summary{{"images", r.images},
                           {"instances", r.instances.size()},
                           {"skipped_images", r.skippedImages},
                           {"model", r.model},
                           {"seconds", r.seconds},
                           {"bbox_baseline_miou", r.bboxBaselineMiou()}};
    if (r.hasRoundTrip())
        summary["round_trip"] = {{"miou", r.roundTripMiou()},
                                 {"share_0.5", r.roundTripShareAtLeast(0.5)},
                                 {"share_0.75", r.roundTripShareAtLeast(0.75)},
                                 {"share_0.9", r.roundTripShareAtLeast(0.9)},
                                 {"search", r.search},
                                 {"best_candidate_miou", r.bestCandidateMiou()}};
    if (r.hasClicks())
        summary["clicks"] = {{"noc85", r.meanNoc(0.85)},       {"noc90", r.meanNoc(0.90)},
                             {"miou_1", r.miouAfterClicks(1)}, {"miou_3", r.miouAfterClicks(3)},
                             {"miou_5", r.miouAfterClicks(5)}, {"max_clicks", r.maxClicks}};
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& i : r.instances) {
        nlohmann::json row{{"image", i.image}, {"mask", i.mask}, {"instance", i.instance}, {"bbox_iou", i.bboxIou}};
        if (i.codes) row["c0"] = i.codes->c0, row["c1"] = i.codes->c1;
        if (i.roundTripIou) row["round_trip_iou"] = *i.roundTripIou;
        if (i.bestCandidateIou) row["best_candidate_iou"] = *i.bestCandidateIou;
        if (!i.iouPerClick.empty())
            row["noc85"] = i.noc85, row["noc90"] = i.noc90, row["iou_per_click"] = i.iouPerClick;
        rows.push_back(std::move(row));
    }
    return {{"summary", summary}, {"instances", rows}};
}

}  // namespace samtok::eval
