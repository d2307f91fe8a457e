// Mask-based sources: SA-1B per-image JSON, Pascal VOC PNGs, image + mask folders.
#include "dataset/Import.h"
#include "dataset/ImportTarget.h"
#include "dataset/MaskFolder.h"
#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::dataset {
namespace {

const char* const kVocClasses[] = {"background", "aeroplane", "bicycle",   "bird",   "boat",        "bottle",
                                   "bus",        "car",       "cat",       "chair",  "cow",         "diningtable",
                                   "dog",        "horse",     "motorbike", "person", "pottedplant", "sheep",
                                   "sofa",       "train",     "tvmonitor"};

// Each image's regions in one transaction; a failure skips that image only.
template <typename Fn>
void perImage(ProjectStore& store, ImportReport& total, const std::string& where, Fn&& fn) {
    ImportReport report;
    try {
        store.transaction([&] {
            ImportTarget target(store, report);
            fn(target, report);
        });
        total.add(report);
    } catch (const std::exception& e) {
        total.skipped.push_back(where + ": " + e.what());
    }
}

}  // namespace

ImportReport importSa1b(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot,
                        std::map<std::int64_t, RowId>* ids) {
    return importingFile(jsonPath, [&] {
        const json j = readJsonFile(jsonPath);
        if (!j.is_object() || !j.contains("image") || !j.contains("annotations"))
            throw FormatError("'" + jsonPath + "' is not an SA-1B file (no 'image' or 'annotations')");
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            const auto& im = j["image"];
            const auto img =
                target.imageOf(jsonPath, (fs::path(imageRoot) / im.at("file_name").get<std::string>()).string());
            const int width = im.contains("width") ? jsonSize(im["width"], "'" + jsonPath + "': width") : img.width;
            const int height =
                im.contains("height") ? jsonSize(im["height"], "'" + jsonPath + "': height") : img.height;
            if (img.width != width || img.height != height)
                throw FormatError("'" + jsonPath + "': the image is " + std::to_string(img.width) + "x" +
                                  std::to_string(img.height) + ", the JSON says " + im.value("width", json()).dump() +
                                  "x" + im.value("height", json()).dump());
            const auto& anns = j["annotations"];
            for (std::size_t i = 0; i < anns.size(); ++i) {
                try {
                    const RowId id =
                        target.add(img, {}, cocoSegmentation(anns[i].at("segmentation"), img.height, img.width));
                    if (ids && anns[i].contains("id")) (*ids)[jsonId(anns[i]["id"])] = id;
                } catch (const std::exception& e) {
                    report.skipped.push_back(jsonPath + ": annotations[" + std::to_string(i) + "]: " + e.what());
                }
            }
        });
        return report;
    });
}

ImportReport importVoc(ProjectStore& store, const std::string& vocRoot, const std::string& split) {
    const fs::path root(vocRoot), objects = root / "SegmentationObject", classes = root / "SegmentationClass";
    if (!fs::is_directory(classes))
        throw UserError("'" + vocRoot + "' has no SegmentationClass folder: not a VOC root");
    std::vector<std::string> ids;
    if (!split.empty()) {
        const fs::path list = root / "ImageSets" / "Segmentation" / (split + ".txt");
        std::ifstream in(list);
        if (!in) throw UserError("cannot read the split list '" + list.string() + "'");
        for (std::string l; std::getline(in, l);)
            if (const auto e = l.find_last_not_of(" \r\t"); e != std::string::npos) ids.push_back(l.substr(0, e + 1));
    } else {
        for (const auto& e : fs::directory_iterator(classes))
            if (e.path().extension() == ".png") ids.push_back(e.path().stem().string());
        std::sort(ids.begin(), ids.end());
    }
    // labelme2voc writes its class list beside the masks: "_background_" is value 0.
    std::vector<std::string> names(std::begin(kVocClasses), std::end(kVocClasses));
    if (std::ifstream in(root / "class_names.txt"); in) {
        std::vector<std::string> lines;
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        const auto bg = std::find(lines.begin(), lines.end(), "_background_");
        if (bg != lines.end()) names.assign(bg, lines.end());
    }
    const bool haveObjects = fs::is_directory(objects);
    ImportReport total;
    for (const auto& id : ids) {
        perImage(store, total, (root / "JPEGImages" / (id + ".jpg")).string(),
                 [&](ImportTarget& target, ImportReport& report) {
                     const auto img = target.image((root / "JPEGImages" / (id + ".jpg")).string());
                     const cv::Mat cls = readLabelMap((classes / (id + ".png")).string());
                     if (cls.cols != img.width || cls.rows != img.height)
                         throw FormatError("its class mask differs in size");
                     auto className = [&](int v) {
                         return v > 0 && v < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(v)]
                                                                            : "class " + std::to_string(v);
                     };
                     if (!haveObjects) {
                         for (auto& r : splitLabelMap(cls, {true, 255}))
                             target.add(img, className(r.value), rle::encode(r.mask));
                         return;
                     }
                     const cv::Mat obj = readLabelMap((objects / (id + ".png")).string());
                     if (obj.size() != cls.size()) throw FormatError("its object and class masks differ in size");
                     for (auto& r : splitLabelMap(obj, {true, 255})) {
                         // The instance's class: the most frequent class value under it.
                         std::map<int, int> votes;
                         const cv::Mat m = toMat(r.mask);
                         for (int y = 0; y < m.rows; ++y)
                             for (int x = 0; x < m.cols; ++x)
                                 if (m.at<std::uint8_t>(y, x)) ++votes[cls.at<std::uint8_t>(y, x)];
                         votes.erase(255);
                         int best = 0, count = -1;
                         for (const auto& [v, n] : votes)
                             if (n > count) best = v, count = n;
                         try {
                             target.add(img, className(best), rle::encode(r.mask));
                         } catch (const std::exception& e) {
                             report.skipped.push_back(id + ": instance " + std::to_string(r.value) + ": " + e.what());
                         }
                     }
                 });
    }
    return total;
}

namespace {

// "VALUE NAME" per line (tab or spaces). Value 0 and the names "null", "_background_" and "background" name no
// class: value 0 is background, and a region of another value so named gets the --class of the import, if any.
std::map<int, std::string> readValueNames(const std::string& path) {
    std::map<int, std::string> names;
    if (path.empty()) return names;
    std::ifstream in(path);
    if (!in) throw UserError("cannot read the class names '" + path + "'");
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::istringstream fields(line);
        long value = -1;
        std::string name;
        const bool numberThenSpace = (fields >> value) && std::isspace(fields.peek());
        if (!numberThenSpace || value < 0 || value > 65535 || !std::getline(fields >> std::ws, name))
            throw FormatError("'" + path + "' line " + std::to_string(lineNo) + ": expected 'VALUE NAME'");
        while (!name.empty() && (name.back() == '\r' || name.back() == ' ' || name.back() == '\t')) name.pop_back();
        if (value == 0 || name == "null" || name == "_background_" || name == "background") continue;
        names[static_cast<int>(value)] = name;
    }
    return names;
}

}  // namespace

ImportReport importMaskFolder(ProjectStore& store, const std::string& imagesDir, const std::string& masksDir,
                              const MaskFolderOptions& o) {
    if (o.threshold < 1 || o.threshold > 65535) throw UserError("a mask threshold must be from 1 to 65535");
    if (!o.classNamesFile.empty() && !o.instances)
        throw UserError("class names by mask value need --instances (a binary mask has one value)");
    const std::map<int, std::string> names = readValueNames(o.classNamesFile);
    const LabelMapRules rules{o.instances, o.ignoreValue, o.threshold, o.connectedParts, o.minPartArea};
    ImportReport total;
    for (const auto& pair : pairImagesWithMasks(imagesDir, masksDir)) {
        perImage(store, total, pair.mask, [&](ImportTarget& target, ImportReport& report) {
            const auto img = target.image(pair.image);
            const cv::Mat labels = readLabelMap(pair.mask);
            if (labels.cols != img.width || labels.rows != img.height)
                throw FormatError("the mask is " + std::to_string(labels.cols) + "x" + std::to_string(labels.rows) +
                                  ", its image " + std::to_string(img.width) + "x" + std::to_string(img.height));
            for (auto& r : splitLabelMap(labels, rules)) {
                try {
                    const auto named = names.find(r.value);
                    target.add(img, named != names.end() ? named->second : o.className, rle::encode(r.mask));
                } catch (const std::exception& e) {
                    report.skipped.push_back(pair.mask + ": value " + std::to_string(r.value) + ": " + e.what());
                }
            }
        });
    }
    return total;
}

}  // namespace samtok::dataset
