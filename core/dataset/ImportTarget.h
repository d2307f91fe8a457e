#pragma once
// One import's view of the project (internal to the importers): images by
// checksum, classes by name, and the masks already on each image, so that
// importing a file twice adds nothing the second time.
#include "dataset/Import.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace samtok::dataset {

class ImportTarget {
public:
    ImportTarget(ProjectStore& store, ImportReport& report);

    struct Image {
        RowId id = 0;
        int width = 0, height = 0;
    };
    // Adds the image file, or finds it by its bytes.
    Image image(const std::string& path);
    // The same for the one image an annotation file is about: an error names that file too.
    Image imageOf(const std::string& annotationFile, const std::string& path);
    RowId classId(const std::string& name);
    // Adds the region, or returns the id of the same mask already on the image.
    RowId add(const Image& img, const std::string& className, Rle mask, const std::string& caption = {});

    ProjectStore& store() { return store_; }

private:
    ProjectStore& store_;
    ImportReport& report_;
    std::map<std::string, Image> images_;
    std::map<std::string, RowId> classes_;  // by lower-case name: class names are case-insensitive
    std::map<RowId, std::vector<std::pair<Rle, RowId>>> existing_;
};

// The instances of a COCO JSON (all, or only those of the given COCO image ids);
// returns COCO annotation id -> project annotation id.
std::map<std::int64_t, RowId> addCocoInstances(ImportTarget& target, const nlohmann::json& coco,
                                               const std::string& jsonPath, const std::string& imageRoot,
                                               ImportReport& report, const std::set<std::int64_t>* onlyImages);

nlohmann::json readJsonFile(const std::string& path);

// Runs the import of one file. What the JSON library throws outside any record
// (a top-level value of the wrong type, a missing key) becomes a FormatError
// naming the file; the transaction has already rolled back.
template <class Import>
ImportReport importingFile(const std::string& path, Import&& import) {
    try {
        return import();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError("'" + path + "' does not have the expected structure: " + e.what());
    }
}

// An id from a file (image_id, category_id, ...): a whole number, as an integer or a float
// with an integral value within +-2^53; else FormatError. (nlohmann's own conversion of a
// float such as 1e308 is a plain cast: undefined.)
std::int64_t jsonId(const nlohmann::json& value);

// A width, height or other count from a file: an integer in 1..2^20 (the largest
// side an image decoder accepts), else FormatError naming `what`.
int jsonSize(const nlohmann::json& value, const std::string& what);

// Polygon coordinates from a file: finite, and within one image size of the
// image (farther is a broken file, and would make rasterizing run away).
void checkPolygonCoordinates(const std::vector<double>& xy, int height, int width);

// A COCO "segmentation": polygons (united) or RLE of size [h, w].
Rle cocoSegmentation(const nlohmann::json& seg, int height, int width);

}  // namespace samtok::dataset
