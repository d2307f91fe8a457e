#pragma once
// Importing existing annotations into a project. Each source file is one
// transaction: all of its records are saved, or none. A record that cannot be
// read is skipped with its file and position; an annotation already in the
// project (same image, same mask) is not added twice, so importing again is
// harmless.
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <string>
#include <vector>

namespace samtok::dataset {

struct ImportReport {
    int imagesAdded = 0;
    int imagesKnown = 0;        // already in the project (same bytes)
    int annotationsAdded = 0;
    int duplicates = 0;         // already in the project
    int crowdSkipped = 0;       // COCO iscrowd regions (ignored for training and tokens)
    std::vector<std::string> skipped;  // "file:position: reason"
    void add(const ImportReport& o);
};

// COCO instances JSON (also LVIS): polygons (rasterized as pycocotools'
// rleFrPoly does, parts united), uncompressed and compressed RLE. Images are
// looked up under imageRoot by file_name (LVIS: the last two parts of coco_url).
ImportReport importCoco(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot);

// LabelMe JSON files: polygons, rectangles, circles and base64 PNG masks; the
// image is imagePath next to the JSON.
ImportReport importLabelMe(ProjectStore& store, const std::string& jsonPath);

// A YOLO-seg label file for one image; classNames maps class ids to names
// (ids without a name become "class N").
ImportReport importYoloSeg(ProjectStore& store, const std::string& imagePath, const std::string& labelPath,
                           const std::vector<std::string>& classNames);

// pycocotools' rleFrPoly: a polygon (x0 y0 x1 y1 ...) to RLE at h x w.
Rle rleFromPolygon(const std::vector<double>& xy, int height, int width);

}  // namespace samtok::dataset
