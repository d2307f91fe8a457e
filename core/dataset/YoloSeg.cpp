#include "dataset/YoloSeg.h"

#include "util/Error.h"

#include <fstream>
#include <sstream>

namespace samtok {

std::vector<YoloSegInstance> readYoloSegLabels(const std::string& path, int width, int height) {
    std::ifstream in(path);
    if (!in) throw FormatError("cannot read YOLO-seg labels '" + path + "'");
    std::vector<YoloSegInstance> out;
    std::string line;
    for (int lineNo = 1; std::getline(in, line); ++lineNo) {
        std::istringstream fields(line);
        YoloSegInstance inst;
        if (!(fields >> inst.classId)) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
            throw FormatError(path + ":" + std::to_string(lineNo) + ": expected a class id");
        }
        std::vector<double> v;
        for (double x; fields >> x;) v.push_back(x);
        if (!fields.eof()) throw FormatError(path + ":" + std::to_string(lineNo) + ": a coordinate is not a number");
        if (v.size() < 6 || v.size() % 2 != 0)
            throw FormatError(path + ":" + std::to_string(lineNo) + ": a polygon needs at least 3 x y pairs, got " +
                              std::to_string(v.size()) + " numbers");
        for (std::size_t i = 0; i < v.size(); i += 2) {
            if (v[i] < -0.01 || v[i] > 1.01 || v[i + 1] < -0.01 || v[i + 1] > 1.01)
                throw FormatError(path + ":" + std::to_string(lineNo) + ": coordinates must be normalised to [0, 1]");
            inst.ring.push_back({v[i] * width, v[i + 1] * height});
        }
        out.push_back(std::move(inst));
    }
    return out;
}

const std::vector<std::string>& coco80ClassNames() {
    static const std::vector<std::string> names{"person",        "bicycle",      "car",
                                                "motorcycle",    "airplane",     "bus",
                                                "train",         "truck",        "boat",
                                                "traffic light", "fire hydrant", "stop sign",
                                                "parking meter", "bench",        "bird",
                                                "cat",           "dog",          "horse",
                                                "sheep",         "cow",          "elephant",
                                                "bear",          "zebra",        "giraffe",
                                                "backpack",      "umbrella",     "handbag",
                                                "tie",           "suitcase",     "frisbee",
                                                "skis",          "snowboard",    "sports ball",
                                                "kite",          "baseball bat", "baseball glove",
                                                "skateboard",    "surfboard",    "tennis racket",
                                                "bottle",        "wine glass",   "cup",
                                                "fork",          "knife",        "spoon",
                                                "bowl",          "banana",       "apple",
                                                "sandwich",      "orange",       "broccoli",
                                                "carrot",        "hot dog",      "pizza",
                                                "donut",         "cake",         "chair",
                                                "couch",         "potted plant", "bed",
                                                "dining table",  "toilet",       "tv",
                                                "laptop",        "mouse",        "remote",
                                                "keyboard",      "cell phone",   "microwave",
                                                "oven",          "toaster",      "sink",
                                                "refrigerator",  "book",         "clock",
                                                "vase",          "scissors",     "teddy bear",
                                                "hair drier",    "toothbrush"};
    return names;
}

}  // namespace samtok
