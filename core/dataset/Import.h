#pragma once
// Importing existing annotations into a project. Each source file is one
// transaction: all of its records are saved, or none. A record that cannot be
// read is skipped with its file and position; an annotation already in the
// project (same image, same mask) is not added twice, so importing again is
// harmless.
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace samtok::dataset {

struct ImportReport {
    int imagesAdded = 0;
    int imagesKnown = 0;  // already in the project (same bytes)
    int annotationsAdded = 0;
    int duplicates = 0;      // already in the project
    int crowdSkipped = 0;    // COCO iscrowd regions (ignored for training and tokens)
    int ignoredSkipped = 0;  // LabelMe "__ignore__" regions
    int filesSkipped = 0;
    int expressionsAdded = 0;          // referring expressions (RefCOCO, gRefCOCO)
    int captionsAdded = 0;             // grounded captions (GCG) and region captions (DAM)
    int imagesWithoutLabels = 0;       // YOLO images with no label file: not imported
    std::vector<std::string> skipped;  // "file:position: reason"
    std::vector<std::string> notes;    // files left alone on purpose, with why (other JSON in a LabelMe folder)
    void add(const ImportReport& o);
};

// COCO instances JSON (also LVIS): polygons (rasterized as pycocotools'
// rleFrPoly does, parts united), uncompressed and compressed RLE. Images are
// looked up under imageRoot by file_name (LVIS: the last two parts of coco_url).
ImportReport importCoco(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot);

// LabelMe JSON files: polygons, rectangles, circles and base64 PNG masks; the
// image is imagePath next to the JSON.
ImportReport importLabelMe(ProjectStore& store, const std::string& jsonPath);

// The .json files among `paths` and under its folders (recursively), sorted; throws UserError for a path
// that does not exist.
std::vector<std::string> jsonFilesUnder(const std::vector<std::string>& paths);

// LabelMe files and folders of them (searched recursively), as the CLI and the studio import them: a JSON
// file found in a folder that is not LabelMe is left alone and noted; one named directly is an error.
ImportReport importLabelMeSources(ProjectStore& store, const std::vector<std::string>& filesOrFolders);

// YOLO-seg: every image under `images` (recursively) with the label file of its stem in `labels`. Images
// without one are counted in imagesWithoutLabels, for the front-end to say so.
ImportReport importYoloFolder(ProjectStore& store, const std::string& images, const std::string& labels,
                              const std::vector<std::string>& classNames);

// A YOLO-seg label file for one image; classNames maps class ids to names
// (ids without a name become "class N").
ImportReport importYoloSeg(ProjectStore& store, const std::string& imagePath, const std::string& labelPath,
                           const std::vector<std::string>& classNames);

// RefCOCO / RefCOCO+ / RefCOCOg: refs(<splitBy>).p (read without Python) or the
// same list as JSON, with the instances.json beside it. Each ref's sentences
// become referring expressions of its region. split: "train", "val", "testA"...
// or empty for all; only the images of the chosen refs are imported.
ImportReport importRefCoco(ProjectStore& store, const std::string& refsPath, const std::string& instancesPath,
                           const std::string& imageRoot, const std::string& split = {});

// gRefCOCO: grefs(unc).json (or .p) and instances.json. An expression may name
// several regions, or none (no_target, ann_id [-1]): stored as image
// expressions, the source of GRES samples with several targets or "No target.".
ImportReport importGRefCoco(ProjectStore& store, const std::string& grefsPath, const std::string& instancesPath,
                            const std::string& imageRoot, const std::string& split = {});

// GLaMM grounded captions (e.g. flickr_mergedGT_GCG_train.json): COCO-style,
// each image with a "caption", each annotation with "tokens_positive"
// character spans of its phrase. The source of GCG samples.
ImportReport importGcg(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot);

// Describe-Anything (DAM) region captions: a list (or {"annotations": [...]})
// of {"image" (or "img_id"), "caption", "mask_rle"}; the image is looked up
// under imageRoot with the extensions .jpg, .png when the name has none.
ImportReport importDam(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot);

// SA-1B: one JSON per image ({"image": {...}, "annotations": [...]}, compressed
// RLE). No classes: unlabelled regions. The image is file_name under imageRoot. ids, when given, gets each
// annotation's SA-1B id -> its project id.
ImportReport importSa1b(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot,
                        std::map<std::int64_t, RowId>* ids = nullptr);

// Pascal VOC: JPEGImages/ and SegmentationObject/ (instances, 255 = void),
// classes from SegmentationClass/ (named by class_names.txt where labelme2voc
// wrote one); without SegmentationObject, one region per class. split names ImageSets/Segmentation/<split>.txt; empty:
// every mask. One transaction per image.
ImportReport importVoc(ProjectStore& store, const std::string& vocRoot, const std::string& split = {});

// A folder of images and a folder of masks paired by relative path and stem.
// One transaction per image.
struct MaskFolderOptions {
    bool instances = false;  // each non-zero value of a mask is a region (else: one region, value >= threshold)
    int ignoreValue = -1;
    std::string className;        // class of every region, or none
    int threshold = 128;          // binary masks: foreground is value >= threshold
    bool connectedParts = false;  // each region's connected parts are regions of their own
    int minPartArea = 0;          // pixels; smaller parts are dropped
    // Class names by mask value ("VALUE NAME" lines, e.g. a labels.txt); a value without a name gets className.
    std::string classNamesFile;
};
ImportReport importMaskFolder(ProjectStore& store, const std::string& imagesDir, const std::string& masksDir,
                              const MaskFolderOptions& options);

// pycocotools' rleFrPoly: a polygon (x0 y0 x1 y1 ...) to RLE at h x w.
Rle rleFromPolygon(const std::vector<double>& xy, int height, int width);

}  // namespace samtok::dataset
