#include "dataset/Import.h"

#include "dataset/ImportTarget.h"
#include "dataset/YoloSeg.h"
#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "mask/Polygon.h"
#include "store/AddImages.h"
#include "util/Base64.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::dataset {

void ImportReport::add(const ImportReport& o) {
    imagesAdded += o.imagesAdded, imagesKnown += o.imagesKnown, annotationsAdded += o.annotationsAdded;
    expressionsAdded += o.expressionsAdded, captionsAdded += o.captionsAdded;
    duplicates += o.duplicates, crowdSkipped += o.crowdSkipped, ignoredSkipped += o.ignoredSkipped;
    filesSkipped += o.filesSkipped, imagesWithoutLabels += o.imagesWithoutLabels;
    skipped.insert(skipped.end(), o.skipped.begin(), o.skipped.end());
    notes.insert(notes.end(), o.notes.begin(), o.notes.end());
}

std::vector<std::string> jsonFilesUnder(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec))
                if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string());
        } else if (fs::is_regular_file(p, ec)) {
            out.push_back(p);
        } else {
            throw UserError("'" + p + "' does not exist");
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

ImportReport importLabelMeSources(ProjectStore& store, const std::vector<std::string>& filesOrFolders) {
    ImportReport total;
    for (const auto& f : jsonFilesUnder(filesOrFolders)) {
        try {
            total.add(importLabelMe(store, f));
        } catch (const FormatError& e) {
            // A folder may hold other JSON (a labelme2coco output, say): name it and go on.
            if (std::find(filesOrFolders.begin(), filesOrFolders.end(), f) != filesOrFolders.end()) throw;
            total.notes.push_back(std::string("not a LabelMe file, left alone: ") + e.what());
            ++total.filesSkipped;
        }
    }
    return total;
}

ImportReport importYoloFolder(ProjectStore& store, const std::string& images, const std::string& labels,
                              const std::vector<std::string>& classNames) {
    std::error_code ec;
    if (!fs::is_directory(labels, ec)) throw UserError("'" + labels + "' is not a folder of YOLO label files");
    ImportReport total;
    for (const auto& image : collectImageFiles({images})) {
        const fs::path label = fs::path(labels) / (fs::path(image).stem().string() + ".txt");
        if (!fs::exists(label, ec)) {
            ++total.imagesWithoutLabels;
            continue;
        }
        total.add(importYoloSeg(store, image, label.string(), classNames));
    }
    return total;
}

Rle rleFromPolygon(const std::vector<double>& xy, int h, int w) {
    // A transcription of maskApi.c's rleFrPoly, so imported COCO polygons give
    // exactly the masks pycocotools gives.
    const std::size_t k = xy.size() / 2;
    const double scale = 5;
    std::vector<int> x(k + 1), y(k + 1);
    for (std::size_t j = 0; j < k; ++j) x[j] = static_cast<int>(scale * xy[j * 2] + .5);
    x[k] = x[0];
    for (std::size_t j = 0; j < k; ++j) y[j] = static_cast<int>(scale * xy[j * 2 + 1] + .5);
    y[k] = y[0];
    std::vector<int> u, v;
    for (std::size_t j = 0; j < k; ++j) {
        int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
        const int dx = std::abs(xe - xs), dy = std::abs(ys - ye);
        const bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
        if (flip) std::swap(xs, xe), std::swap(ys, ye);
        // A repeated point (dx = dy = 0) gives 0/0 in maskApi.c and a NaN cast to int (undefined);
        // its one boundary point shares u with both neighbours and is never read, so 0 is the same.
        const double s = dx == 0 && dy == 0 ? 0.0
                         : dx >= dy         ? static_cast<double>(ye - ys) / dx
                                            : static_cast<double>(xe - xs) / dy;
        if (dx >= dy)
            for (int d = 0; d <= dx; ++d) {
                const int t = flip ? dx - d : d;
                u.push_back(t + xs);
                v.push_back(static_cast<int>(ys + s * t + .5));
            }
        else
            for (int d = 0; d <= dy; ++d) {
                const int t = flip ? dy - d : d;
                v.push_back(t + ys);
                u.push_back(static_cast<int>(xs + s * t + .5));
            }
    }
    // Points along the y-boundary, downsampled.
    std::vector<std::uint32_t> a;
    for (std::size_t j = 1; j < u.size(); ++j) {
        if (u[j] == u[j - 1]) continue;
        double xd = static_cast<double>(u[j] < u[j - 1] ? u[j] : u[j] - 1);
        xd = (xd + .5) / scale - .5;
        if (std::floor(xd) != xd || xd < 0 || xd > w - 1) continue;
        double yd = static_cast<double>(v[j] < v[j - 1] ? v[j] : v[j - 1]);
        yd = (yd + .5) / scale - .5;
        if (yd < 0)
            yd = 0;
        else if (yd > h)
            yd = h;
        yd = std::ceil(yd);
        a.push_back(static_cast<std::uint32_t>(static_cast<int>(xd) * h + static_cast<int>(yd)));
    }
    a.push_back(static_cast<std::uint32_t>(h) * static_cast<std::uint32_t>(w));
    std::sort(a.begin(), a.end());
    std::uint32_t p = 0;
    for (auto& t : a) {
        const std::uint32_t cur = t;
        t -= p;
        p = cur;
    }
    std::vector<std::uint32_t> b;
    std::size_t j = 0;
    b.push_back(a[j++]);
    while (j < a.size()) {
        if (a[j] > 0) {
            b.push_back(a[j++]);
        } else {
            ++j;
            if (j < a.size()) b.back() += a[j++];
        }
    }
    return Rle{h, w, std::move(b)};
}

std::map<std::int64_t, RowId> addCocoInstances(ImportTarget& target, const json& j, const std::string& jsonPath,
                                               const std::string& imageRoot, ImportReport& report,
                                               const std::set<std::int64_t>* onlyImages) {
    if (!j.is_object() || !j.contains("images") || !j.contains("annotations"))
        throw FormatError("'" + jsonPath + "' is not a COCO instances file (no 'images' or 'annotations')");
    if (!j["images"].is_array() || !j["annotations"].is_array() ||
        (j.contains("categories") && !j["categories"].is_array()))
        throw FormatError("'" + jsonPath + "' is not a COCO instances file ('images', 'annotations' and " +
                          "'categories' must be lists)");
    std::map<std::int64_t, std::string> categories;
    const json& cats = j.contains("categories") ? j["categories"] : json::array();
    for (std::size_t i = 0; i < cats.size(); ++i) {
        try {
            categories[jsonId(cats[i].at("id"))] = cats[i].at("name").get<std::string>();
        } catch (const std::exception& e) {  // the JSON library's errors, and jsonId's
            report.skipped.push_back(jsonPath + ": categories[" + std::to_string(i) + "]: " + e.what());
        }
    }
    struct ImageEntry {
        std::string path;
        int width = 0, height = 0;
    };
    std::map<std::int64_t, ImageEntry> images;
    for (std::size_t i = 0; i < j["images"].size(); ++i) {
        const auto& im = j["images"][i];
        try {
            std::string file = im.at("file_name");
            if (im.contains("coco_url") && !fs::exists(fs::path(imageRoot) / file)) {  // LVIS: split/name from the URL
                const fs::path url = im["coco_url"].get<std::string>();
                file = (url.parent_path().filename() / url.filename()).string();
            }
            images[jsonId(im.at("id"))] = {(fs::path(imageRoot) / file).string(), jsonSize(im.at("width"), "width"),
                                           jsonSize(im.at("height"), "height")};
        } catch (const std::exception& e) {  // the JSON library's errors, and jsonSize's
            report.skipped.push_back(jsonPath + ": images[" + std::to_string(i) + "]: " + e.what());
        }
    }
    std::map<std::int64_t, RowId> ids;
    const auto& anns = j["annotations"];
    for (std::size_t i = 0; i < anns.size(); ++i) {
        const auto& a = anns[i];
        const std::string where = jsonPath + ": annotations[" + std::to_string(i) + "] (id " +
                                  (a.contains("id") ? a["id"].dump() : std::string("?")) + ")";
        try {
            const std::int64_t imageId = jsonId(a.at("image_id"));
            if (onlyImages && !onlyImages->count(imageId)) continue;
            if (a.contains("iscrowd") && a["iscrowd"] == 1) {
                ++report.crowdSkipped;
                continue;
            }
            auto im = images.find(imageId);
            if (im == images.end()) throw FormatError("image_id " + a["image_id"].dump() + " is not in 'images'");
            const auto img = target.image(im->second.path);
            if (img.width != im->second.width || img.height != im->second.height)
                throw FormatError("'" + im->second.path + "' is " + std::to_string(img.width) + "x" +
                                  std::to_string(img.height) + ", the JSON says " + std::to_string(im->second.width) +
                                  "x" + std::to_string(im->second.height));
            const auto cat = categories.find(a.contains("category_id") ? jsonId(a["category_id"]) : -1);
            const RowId id = target.add(img, cat == categories.end() ? std::string() : cat->second,
                                        cocoSegmentation(a.at("segmentation"), img.height, img.width));
            if (a.contains("id")) ids[jsonId(a["id"])] = id;
        } catch (const std::exception& e) {
            report.skipped.push_back(where + ": " + e.what());
        }
    }
    return ids;
}

ImportReport importCoco(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot) {
    return importingFile(jsonPath, [&] {
        const json j = readJsonFile(jsonPath);
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            addCocoInstances(target, j, jsonPath, imageRoot, report, nullptr);
        });
        return report;
    });
}

ImportReport importLabelMe(ProjectStore& store, const std::string& jsonPath) {
    return importingFile(jsonPath, [&] {
        const json j = readJsonFile(jsonPath);
        if (!j.is_object() || !j.contains("shapes") || !j.contains("imagePath") || !j["imagePath"].is_string() ||
            !j["shapes"].is_array())
            throw FormatError("'" + jsonPath + "' is not a LabelMe file (no 'shapes' list or 'imagePath' string)");
        if (j["imagePath"].get<std::string>().empty()) throw FormatError("'" + jsonPath + "': its imagePath is empty");
        const std::string imagePath = (fs::path(jsonPath).parent_path() / j["imagePath"].get<std::string>()).string();
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            const auto img = target.imageOf(jsonPath, imagePath);
            const auto& shapes = j["shapes"];
            for (std::size_t i = 0; i < shapes.size(); ++i) {
                const auto& s = shapes[i];
                const std::string where = jsonPath + ": shapes[" + std::to_string(i) + "]";
                try {
                    const std::string label = s.value("label", std::string());
                    if (label == "__ignore__") {  // labelme2coco's convention: a region to leave out, not an object
                        ++report.ignoredSkipped;
                        continue;
                    }
                    const std::string type = s.value("shape_type", std::string("polygon"));
                    const auto pts = s.at("points");
                    Mask m(img.height, img.width);
                    if (type == "polygon") {
                        Ring ring;
                        std::vector<double> xy;
                        for (const auto& p : pts) xy.insert(xy.end(), {p.at(0).get<double>(), p.at(1).get<double>()});
                        checkPolygonCoordinates(xy, img.height, img.width);
                        for (std::size_t k = 0; k + 1 < xy.size(); k += 2) ring.push_back({xy[k], xy[k + 1]});
                        if (ring.size() < 3) throw FormatError("a polygon needs at least 3 points");
                        m = ringsToMask({ring}, img.height, img.width);
                    } else if (type == "rectangle" || type == "circle") {
                        if (pts.size() < 2) throw FormatError(type + " needs 2 points");
                        const double x0 = pts[0].at(0), y0 = pts[0].at(1), x1 = pts[1].at(0), y1 = pts[1].at(1);
                        checkPolygonCoordinates({x0, y0, x1, y1}, img.height, img.width);
                        cv::Mat mat(img.height, img.width, CV_8U, cv::Scalar(0));
                        if (type == "rectangle")
                            cv::rectangle(mat,
                                          cv::Point(static_cast<int>(std::lround(std::min(x0, x1))),
                                                    static_cast<int>(std::lround(std::min(y0, y1)))),
                                          cv::Point(static_cast<int>(std::lround(std::max(x0, x1))),
                                                    static_cast<int>(std::lround(std::max(y0, y1)))),
                                          1, -1);
                        else
                            cv::circle(mat,
                                       cv::Point(static_cast<int>(std::lround(x0)), static_cast<int>(std::lround(y0))),
                                       static_cast<int>(std::lround(std::hypot(x1 - x0, y1 - y0))), 1, -1);
                        m = fromMat(mat);
                    } else if (type == "mask") {
                        const auto png = base64Decode(s.at("mask").get<std::string>());
                        // The header first: a mask larger than its image is a broken (or hostile) file.
                        const cv::Size size = imageSizeFromBytes(png, "the mask");
                        if (size.width > img.width || size.height > img.height)
                            throw FormatError("the mask is larger than the image");
                        cv::Mat part = cv::imdecode(png, cv::IMREAD_GRAYSCALE);
                        if (part.empty()) throw FormatError("the mask is not a readable PNG");
                        const double x0 = pts.at(0).at(0).get<double>(), y0 = pts.at(0).at(1).get<double>();
                        checkPolygonCoordinates({x0, y0}, img.height, img.width);
                        const int x = static_cast<int>(std::lround(x0)), y = static_cast<int>(std::lround(y0));
                        const cv::Rect r = cv::Rect(x, y, part.cols, part.rows) & cv::Rect(0, 0, img.width, img.height);
                        cv::Mat mat(img.height, img.width, CV_8U, cv::Scalar(0));
                        if (r.area() > 0)
                            cv::Mat(part(cv::Rect(r.x - x, r.y - y, r.width, r.height)) > 0).copyTo(mat(r));
                        m = fromMat(mat);
                    } else {
                        throw FormatError("shape type '" + type +
                                          "' has no area (only polygon, rectangle, circle, mask)");
                    }
                    target.add(img, label, rle::encode(m), s.value("description", std::string()));
                } catch (const std::exception& e) {
                    report.skipped.push_back(where + ": " + e.what());
                }
            }
        });
        return report;
    });
}

ImportReport importYoloSeg(ProjectStore& store, const std::string& imagePath, const std::string& labelPath,
                           const std::vector<std::string>& classNames) {
    ImportReport report;
    store.transaction([&] {
        ImportTarget target(store, report);
        const auto img = target.image(imagePath);
        const auto instances = readYoloSegLabels(labelPath, img.width, img.height);
        for (std::size_t i = 0; i < instances.size(); ++i) {
            try {
                const int c = instances[i].classId;
                const std::string name = c >= 0 && static_cast<std::size_t>(c) < classNames.size()
                                             ? classNames[static_cast<std::size_t>(c)]
                                             : "class " + std::to_string(c);
                target.add(img, name, rle::encode(ringsToMask({instances[i].ring}, img.height, img.width)));
            } catch (const std::exception& e) {
                report.skipped.push_back(labelPath + ": instance " + std::to_string(i + 1) + ": " + e.what());
            }
        }
    });
    return report;
}

}  // namespace samtok::dataset
