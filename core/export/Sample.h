#pragma once
// The canonical training sample every export target is written from: images
// and turns, with "<image>" placeholders already in the user turns.
#include "store/Records.h"

#include <string>
#include <vector>

namespace samtok::exporter {

// RefDet: the box of a region named by an expression (or its unique class), as Qwen2-VL / Qwen3-VL grounding
// answers give it: {"bbox_2d": [x1, y1, x2, y2], "label": ...} in 0-1000 relative coordinates. Opt-in.
enum class Task { RefSeg, Gres, Gcg, RegionCaption, RegionVqa, RefDet };
const char* toString(Task t);
Task taskFromString(const std::string& s);  // throws UserError naming the choices

struct Turn {
    bool user = true;
    std::string text;
};

struct SampleImage {
    std::string source;  // absolute path of the file to reference (project image or written crop)
    int width = 0, height = 0;
    bool isCrop = false;
};

struct Sample {
    Task task = Task::RefSeg;
    RowId imageId = 0;
    std::string imageChecksum;  // decides the split
    std::vector<SampleImage> images;
    std::vector<Turn> turns;
};

}  // namespace samtok::exporter
