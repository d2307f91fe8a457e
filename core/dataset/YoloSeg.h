#pragma once
// YOLO-seg label files: one instance per line, `class x1 y1 x2 y2 ...` with
// coordinates normalised to [0, 1].
#include "mask/Polygon.h"

#include <string>
#include <vector>

namespace samtok {

// One labelled photo of a YOLO-seg set: rings in pixels of the stored image.
struct YoloSegInstance {
    int classId = 0;
    Ring ring;
};
// Reads a YOLO-seg label file (`class x1 y1 x2 y2 ...`, coordinates in [0,1]).
// Throws FormatError naming the file and line of a malformed record.
std::vector<YoloSegInstance> readYoloSegLabels(const std::string& path, int width, int height);

// The 80 COCO class names in the order YOLO datasets number them (coco128-seg, COCO converted by Ultralytics).
const std::vector<std::string>& coco80ClassNames();

}  // namespace samtok
