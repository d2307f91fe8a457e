#include "export/AnnotationExport.h"

#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "mask/Polygon.h"
#include "tokens/TokenText.h"
#include "util/AtomicFile.h"
#include "util/Base64.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <unordered_map>

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace samtok::exporter {
namespace {

std::vector<Annotation> regionsOf(const ProjectStore& store, RowId imageId, bool skipRejected) {
    auto all = store.annotationsForImage(imageId);
    if (skipRejected)
        all.erase(std::remove_if(all.begin(), all.end(),
                                 [](const Annotation& a) { return a.review == ReviewState::Rejected; }),
                  all.end());
    return all;
}

std::string absoluteImagePath(const ProjectStore& store, const ImageRecord& im) {
    return fs::absolute(store.resolveImagePath(im)).lexically_normal().string();
}

// A file name per image that no other image of the export shares.
class UniqueStems {
public:
    std::string operator()(const std::string& path) {
        const std::string stem = fs::path(path).stem().string();
        std::string name = stem;
        for (int k = 2; used_.count(name); ++k) name = stem + "-" + std::to_string(k);
        used_.insert(name);
        return name;
    }

private:
    std::set<std::string> used_;
};

double ringArea(const Ring& r) {
    double twice = 0;
    for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) twice += r[j].x * r[i].y - r[i].x * r[j].y;
    return std::abs(twice) / 2;
}

void makeDirectories(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw UserError("cannot create '" + dir.string() + "': " + ec.message());
}

}  // namespace

AnnotationExportReport exportCoco(const ProjectStore& store, const CocoExportOptions& o) {
    AnnotationExportReport report;
    const fs::path json = fs::absolute(o.jsonPath).lexically_normal();
    makeDirectories(json.parent_path());
    if (!o.masksDir.empty()) makeDirectories(o.masksDir);
    std::unordered_map<RowId, MaskTokens> tokens;
    std::string tokenizerSha;
    int codebookSize = 256;
    if (o.tokenizerId) {
        for (auto& t : store.tokensOf(*o.tokenizerId)) tokens.emplace(t.annotationId, t);
        for (const auto& t : store.tokenizers())
            if (t.id == *o.tokenizerId) {
                tokenizerSha = t.checkpointSha256;
                const auto cfg = nlohmann::json::parse(t.configJson, nullptr, false);
                if (cfg.is_object() && cfg.contains("quantizer"))
                    codebookSize = cfg["quantizer"].value("codebook_size", 256);
            }
    }
    ordered_json categories = ordered_json::array();
    for (const auto& c : store.classes()) categories.push_back({{"id", c.id}, {"name", c.name}, {"supercategory", ""}});
    ordered_json images = ordered_json::array(), annotations = ordered_json::array();
    UniqueStems stems;
    int unclassed = 0;
    for (const auto& im : store.images()) {
        const auto regions = regionsOf(store, im.id, o.skipRejected);
        const std::string path = absoluteImagePath(store, im);
        images.push_back({{"id", im.id},
                          {"file_name", fs::path(path).lexically_relative(json.parent_path()).generic_string()},
                          {"width", im.width},
                          {"height", im.height}});
        ++report.images;
        const std::string stem = o.masksDir.empty() ? std::string() : stems(path);
        for (const auto& a : regions) {
            ordered_json ann{{"id", a.id}, {"image_id", im.id}};
            if (a.classId)
                ann["category_id"] = *a.classId;
            else
                ++unclassed;
            ann["segmentation"] = {{"size", {a.mask.height, a.mask.width}}, {"counts", rle::toString(a.mask)}};
            ann["area"] = a.area;
            ann["bbox"] = {a.bbox.x, a.bbox.y, a.bbox.width, a.bbox.height};
            ann["iscrowd"] = 0;
            if (auto t = tokens.find(a.id); t != tokens.end()) {
                ordered_json s{{"codes", {t->second.c0, t->second.c1}},
                               {"tokens", formatMaskTokens(t->second, codebookSize)},
                               {"tokenizer_sha256", tokenizerSha}};
                if (t->second.reconstructionIou) s["reconstruction_iou"] = *t->second.reconstructionIou;
                ann["samtok"] = s;
            }
            if (!a.caption.empty()) ann["caption"] = a.caption;
            annotations.push_back(std::move(ann));
            if (!o.masksDir.empty()) {
                writeMaskPng(rle::decode(a.mask),
                             (fs::path(o.masksDir) / (stem + "_" + std::to_string(a.id) + ".png")).string());
                ++report.masksWritten;
            }
            ++report.annotations;
        }
    }
    if (unclassed)
        report.notes.push_back(std::to_string(unclassed) +
                               " annotation(s) have no class and were written without category_id");
    const ordered_json doc{
        {"info", {{"description", store.name()}, {"version", "1.0"}, {"contributor", "SAMTok Studio"}}},
        {"licenses", ordered_json::array()},
        {"images", images},
        {"annotations", annotations},
        {"categories", categories}};
    writeFileAtomic(json.string(), doc.dump() + "\n");
    return report;
}

AnnotationExportReport exportLabelMe(const ProjectStore& store, const std::string& outDir, bool skipRejected) {
    AnnotationExportReport report;
    const fs::path out = fs::absolute(outDir).lexically_normal();
    makeDirectories(out);
    std::map<RowId, std::string> classNames;
    for (const auto& c : store.classes()) classNames[c.id] = c.name;
    UniqueStems stems;
    for (const auto& im : store.images()) {
        const auto regions = regionsOf(store, im.id, skipRejected);
        if (regions.empty()) continue;
        const std::string path = absoluteImagePath(store, im);
        ordered_json shapes = ordered_json::array();
        for (const auto& a : regions) {
            // A "mask" shape is the box (inclusive corners) and a PNG of the mask inside it: exact.
            const cv::Mat full = toMat255(rle::decode(a.mask));
            const cv::Rect box(a.bbox.x, a.bbox.y, a.bbox.width, a.bbox.height);
            std::vector<unsigned char> png;
            cv::imencode(".png", full(box), png);
            shapes.push_back({{"label", a.classId ? classNames.at(*a.classId) : std::string()},
                              {"points", {{box.x, box.y}, {box.x + box.width - 1, box.y + box.height - 1}}},
                              {"group_id", nullptr},
                              {"description", a.caption},
                              {"shape_type", "mask"},
                              {"flags", ordered_json::object()},
                              {"mask", base64Encode(png)}});
            ++report.annotations;
        }
        const ordered_json doc{
            {"version", "5.4.1"},    {"flags", ordered_json::object()},
            {"shapes", shapes},      {"imagePath", fs::path(path).lexically_relative(out).generic_string()},
            {"imageData", nullptr},  {"imageHeight", im.height},
            {"imageWidth", im.width}};
        writeFileAtomic((out / (stems(path) + ".json")).string(), doc.dump(2) + "\n");
        ++report.images;
    }
    return report;
}

AnnotationExportReport exportYoloSeg(const ProjectStore& store, const std::string& outDir, bool skipRejected) {
    AnnotationExportReport report;
    const fs::path out = fs::absolute(outDir).lexically_normal();
    makeDirectories(out / "labels");
    std::map<RowId, int> classIndex;
    std::string names;
    for (const auto& c : store.classes()) {
        const int next = static_cast<int>(classIndex.size());
        classIndex[c.id] = next;
        names += c.name + "\n";
    }
    writeFileAtomic((out / "classes.txt").string(), names);
    UniqueStems stems;
    int unclassed = 0, multipart = 0, holes = 0;
    for (const auto& im : store.images()) {
        const auto regions = regionsOf(store, im.id, skipRejected);
        if (regions.empty()) continue;
        std::string text;
        char buf[32];
        for (const auto& a : regions) {
            if (!a.classId) {
                ++unclassed;
                continue;
            }
            auto parts = maskToPolygons(rle::decode(a.mask), 0.5);
            if (parts.empty()) continue;
            multipart += parts.size() > 1;
            const auto largest = std::max_element(parts.begin(), parts.end(), [](const auto& p, const auto& q) {
                return ringArea(p.outer) < ringArea(q.outer);
            });
            holes += !largest->holes.empty();
            text += std::to_string(classIndex.at(*a.classId));
            for (const auto& p : largest->outer) {
                std::snprintf(buf, sizeof buf, " %.6f %.6f", p.x / im.width, p.y / im.height);
                text += buf;
            }
            text += "\n";
            ++report.annotations;
        }
        writeFileAtomic((out / "labels" / (stems(absoluteImagePath(store, im)) + ".txt")).string(), text);
        ++report.images;
    }
    if (unclassed)
        report.notes.push_back(std::to_string(unclassed) +
                               " annotation(s) without a class were left out (YOLO needs one)");
    if (multipart)
        report.notes.push_back(std::to_string(multipart) +
                               " annotation(s) of several parts kept only their largest part");
    if (holes)
        report.notes.push_back(std::to_string(holes) + " annotation(s) lost their holes (YOLO polygons have none)");
    return report;
}

}  // namespace samtok::exporter
