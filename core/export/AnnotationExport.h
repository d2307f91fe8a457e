#pragma once
// The project's masks in the annotation formats other tools read: COCO
// instances JSON (compressed RLE, byte-identical to pycocotools' encode of the
// same mask) with optional PNG masks, LabelMe JSON (lossless "mask" shapes)
// and YOLO-seg labels (polygons: lossy, the outer boundary of the largest part).
#include "store/ProjectStore.h"

#include <optional>
#include <string>
#include <vector>

namespace samtok::exporter {

struct AnnotationExportReport {
    int images = 0;
    int annotations = 0;
    int masksWritten = 0;
    std::vector<std::string> notes;  // what was left out or approximated
};

struct CocoExportOptions {
    std::string jsonPath;
    std::string masksDir;              // PNG per annotation when set
    std::optional<RowId> tokenizerId;  // adds each annotation's SAMTok codes
    bool skipRejected = true;
};
// file_name is the image's path relative to the JSON's folder, so that
// `samtok import coco` of the file finds the images again.
AnnotationExportReport exportCoco(const ProjectStore& store, const CocoExportOptions& options);

// One <image stem>.json per image with annotations, in outDir.
AnnotationExportReport exportLabelMe(const ProjectStore& store, const std::string& outDir, bool skipRejected = true);

// labels/<image stem>.txt and classes.txt (class ids in the project's class order) in outDir.
AnnotationExportReport exportYoloSeg(const ProjectStore& store, const std::string& outDir, bool skipRejected = true);

}  // namespace samtok::exporter
