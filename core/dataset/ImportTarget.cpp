#include "dataset/ImportTarget.h"

#include "io/ImageIO.h"
#include "util/Checksum.h"
#include "util/Error.h"
#include "util/JsonNumber.h"

#include <climits>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

namespace samtok::dataset {
namespace {

const char* const kPalette[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
                                "#f032e6", "#bfef45", "#fabed4", "#469990", "#dcbeff", "#9a6324",
                                "#800000", "#aaffc3", "#808000", "#000075", "#a9a9a9", "#ffe119"};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

ImportTarget::ImportTarget(ProjectStore& store, ImportReport& report) : store_(store), report_(report) {
    for (const auto& c : store.classes()) classes_[lower(c.name)] = c.id;
}

ImportTarget::Image ImportTarget::image(const std::string& path) {
    if (auto it = images_.find(path); it != images_.end()) return it->second;
    const auto bytes = readFileBytes(path);
    const cv::Size size = imageSizeFromBytes(bytes, path);
    const std::string sum = sha256Bytes(bytes.data(), bytes.size());
    Image img{0, size.width, size.height};
    if (auto known = store_.findImageByChecksum(sum)) {
        img.id = *known;
        ++report_.imagesKnown;
    } else {
        img.id = store_.addImage({path, size.width, size.height, sum});
        ++report_.imagesAdded;
    }
    return images_[path] = img;
}

ImportTarget::Image ImportTarget::imageOf(const std::string& annotationFile, const std::string& path) {
    try {
        return image(path);
    } catch (const FormatError& e) {
        throw FormatError("'" + annotationFile + "': its image: " + e.what());
    } catch (const UserError& e) {
        throw UserError("'" + annotationFile + "': its image: " + e.what());
    }
}

RowId ImportTarget::classId(const std::string& name) {
    const std::string key = lower(name);
    if (auto it = classes_.find(key); it != classes_.end()) return it->second;
    const RowId id = store_.addClass(name, kPalette[classes_.size() % std::size(kPalette)]);
    return classes_[key] = id;
}

RowId ImportTarget::add(const Image& img, const std::string& className, Rle mask, const std::string& caption) {
    if (mask.height != img.height || mask.width != img.width)
        throw FormatError("the mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) +
                          " but the image is " + std::to_string(img.width) + "x" + std::to_string(img.height));
    if (rle::area(mask) == 0) throw FormatError("the region is empty");
    auto [it, first] = existing_.try_emplace(img.id);
    auto& known = it->second;
    if (first) {
        std::vector<DamagedAnnotation> damaged;  // unreadable, so no duplicate of anything; the studio names it
        for (const auto& a : store_.readableAnnotationsForImage(img.id, damaged)) known.emplace_back(a.mask, a.id);
    }
    for (const auto& [m, id] : known)
        if (m == mask) {
            ++report_.duplicates;
            return id;
        }
    Annotation a;
    a.imageId = img.id;
    if (!className.empty()) a.classId = classId(className);
    a.mask = mask;
    a.source = AnnotationSource::Import;
    a.caption = caption;
    const RowId id = store_.addAnnotation(a);
    known.emplace_back(std::move(mask), id);
    ++report_.annotationsAdded;
    return id;
}

nlohmann::json readJsonFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UserError("cannot read '" + path + "'");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {  // parse errors, and numbers beyond a double
        throw FormatError("'" + path + "' is not valid JSON: " + e.what());
    }
}

std::int64_t jsonId(const nlohmann::json& value) {
    if (const auto n = wholeNumber(value)) return *n;
    throw FormatError("an id must be a whole number, not " + value.dump());
}

int jsonSize(const nlohmann::json& value, const std::string& what) {
    if (const auto n = wholeNumberIn(value, 1, 1 << 20)) return static_cast<int>(*n);
    throw FormatError(what + " must be a whole number from 1 to 2^20, not " + value.dump());
}

void checkPolygonCoordinates(const std::vector<double>& xy, int height, int width) {
    const double margin = std::max(height, width);
    for (std::size_t i = 0; i + 1 < xy.size(); i += 2) {
        const double x = xy[i], y = xy[i + 1];
        if (!std::isfinite(x) || !std::isfinite(y) || x < -margin || x > width + margin || y < -margin ||
            y > height + margin) {
            std::ostringstream point;
            point << "(" << x << ", " << y << ")";
            throw FormatError("polygon point " + std::to_string(i / 2) + " " + point.str() + " lies far outside the " +
                              std::to_string(width) + "x" + std::to_string(height) + " image");
        }
    }
}

Rle cocoSegmentation(const nlohmann::json& seg, int h, int w) {
    if (seg.is_array()) {  // polygons: parts united, as pycocotools' annToRLE
        std::vector<Rle> parts;
        for (const auto& poly : seg) {
            if (!poly.is_array() || poly.size() < 6 || poly.size() % 2)
                throw FormatError("a polygon needs at least 3 x y pairs");
            const auto xy = poly.get<std::vector<double>>();
            checkPolygonCoordinates(xy, h, w);
            parts.push_back(rleFromPolygon(xy, h, w));
        }
        if (parts.empty()) throw FormatError("empty segmentation");
        return parts.size() == 1 ? parts[0] : rle::merge(parts, false);
    }
    if (seg.is_object() && seg.contains("counts") && seg.contains("size")) {
        const int sh = jsonSize(seg["size"].at(0), "the RLE height"), sw = jsonSize(seg["size"].at(1), "the RLE width");
        if (sh != h || sw != w)
            throw FormatError("RLE size [" + std::to_string(sh) + ", " + std::to_string(sw) +
                              "] differs from the image's [" + std::to_string(h) + ", " + std::to_string(w) +
                              "] (size is [height, width])");
        if (seg["counts"].is_string()) return rle::fromString(seg["counts"].get<std::string>(), h, w);
        // Uncompressed counts: each a whole number of pixels (a float such as -1e308 was cast: undefined).
        const nlohmann::json& counts = seg["counts"];
        if (!counts.is_array()) throw FormatError("RLE counts must be a string or a list of numbers");
        Rle r{h, w, {}};
        r.counts.reserve(counts.size());
        for (const auto& c : counts) {
            const auto n = wholeNumberIn(c, 0, UINT32_MAX);
            if (!n) throw FormatError("RLE counts must be whole numbers from 0 to 2^32 - 1, not " + c.dump());
            r.counts.push_back(static_cast<std::uint32_t>(*n));
        }
        rle::validate(r);
        return r;
    }
    throw FormatError("segmentation is neither polygons nor RLE");
}

}  // namespace samtok::dataset
