#include "dataset/MaskFolder.h"

#include "mask/MaskCv.h"
#include "store/AddImages.h"
#include "util/Error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace samtok::dataset {

std::map<std::string, std::string> filesByStem(const std::string& root) {
    if (!fs::is_directory(root)) throw UserError("'" + root + "' is not a folder");
    std::map<std::string, std::string> out;
    for (const std::string& file : collectImageFiles({root})) {
        const fs::path rel = fs::relative(file, root);
        out[(rel.parent_path() / rel.stem()).string()] = file;
    }
    return out;
}

std::vector<ImageMaskPair> pairImagesWithMasks(const std::string& imagesDir, const std::string& masksDir) {
    const auto images = filesByStem(imagesDir), masks = filesByStem(masksDir);
    std::vector<ImageMaskPair> pairs;
    for (const auto& [stem, image] : images)
        if (auto m = masks.find(stem); m != masks.end()) pairs.push_back({image, m->second});
    if (pairs.empty())
        throw UserError("no image in '" + imagesDir + "' has a mask of the same relative name in '" + masksDir + "' (" +
                        std::to_string(images.size()) + " image(s), e.g. '" +
                        (images.empty() ? std::string("-") : images.begin()->first) + "'; " +
                        std::to_string(masks.size()) + " mask(s), e.g. '" +
                        (masks.empty() ? std::string("-") : masks.begin()->first) +
                        "'; names are compared without extension)");
    return pairs;
}

Mask ignoreRegion(const cv::Mat& labels, int ignoreValue) {
    if (ignoreValue < 0) return {};
    const cv::Mat ignore = labels == ignoreValue;
    return cv::countNonZero(ignore) == 0 ? Mask() : fromMat(ignore);
}

namespace {

// The 8-connected parts of a region of at least minArea pixels, largest first.
std::vector<LabelRegion> connectedParts(const LabelRegion& region, int minArea) {
    const cv::Mat m = toMat(region.mask);
    cv::Mat ids, stats, centroids;
    const int n = cv::connectedComponentsWithStats(m, ids, stats, centroids, 8, CV_32S);
    std::vector<std::pair<int, int>> parts;  // area, label
    for (int k = 1; k < n; ++k)
        if (const int area = stats.at<int>(k, cv::CC_STAT_AREA); area >= std::max(1, minArea))
            parts.push_back({area, k});
    std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<LabelRegion> out;
    for (const auto& [area, k] : parts) out.push_back({region.value, fromMat(ids == k)});
    return out;
}

}  // namespace

std::vector<LabelRegion> splitLabelMap(const cv::Mat& labels, const LabelMapRules& rules) {
    if (rules.threshold < 1 || rules.threshold > 65535) throw UserError("a mask threshold must be from 1 to 65535");
    if (rules.minPartArea < 0) throw UserError("a minimum part area cannot be negative");
    std::vector<LabelRegion> out;
    if (rules.instances) {
        std::set<int> values;
        for (int y = 0; y < labels.rows; ++y)
            for (int x = 0; x < labels.cols; ++x) {
                const int v = labels.depth() == CV_16U ? labels.at<std::uint16_t>(y, x) : labels.at<std::uint8_t>(y, x);
                if (v != 0 && v != rules.ignoreValue) values.insert(v);
            }
        for (int v : values) out.push_back({v, fromMat(labels == v)});
    } else {
        cv::Mat fg = labels >= rules.threshold;
        if (rules.ignoreValue >= 0) fg.setTo(0, labels == rules.ignoreValue);
        if (cv::countNonZero(fg) > 0) out.push_back({255, fromMat(fg)});
    }
    if (!rules.connectedParts) return out;
    std::vector<LabelRegion> parts;
    for (const LabelRegion& r : out)
        for (LabelRegion& p : connectedParts(r, rules.minPartArea)) parts.push_back(std::move(p));
    return parts;
}

}  // namespace samtok::dataset
