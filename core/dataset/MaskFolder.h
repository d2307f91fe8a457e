#pragma once
// Folders of images and masks paired by relative path and stem
// (photos/a/b.jpg <-> masks/a/b.png), and label maps split into regions:
// the layout of GrabCut, Berkeley, DAVIS and most "image + mask PNG" datasets.
#include "mask/Mask.h"

#include <opencv2/core.hpp>

#include <map>
#include <string>
#include <vector>

namespace samtok::dataset {

// Relative path without extension -> file, for every image file under root.
std::map<std::string, std::string> filesByStem(const std::string& root);

struct ImageMaskPair {
    std::string image, mask;
};
// Throws UserError when no image has a mask.
std::vector<ImageMaskPair> pairImagesWithMasks(const std::string& imagesDir, const std::string& masksDir);

struct LabelMapRules {
    bool instances =
        false;             // every non-zero value is a region (palette / id maps); else one region, value >= threshold
    int ignoreValue = -1;  // a value that is neither region nor background (GrabCut 128, VOC 255)
    int threshold = 128;   // binary masks: foreground is value >= threshold (soft DUTS edges: 128)
    bool connectedParts = false;  // each region's 8-connected parts become regions of their own
    int minPartArea = 0;          // with connectedParts: smaller parts are dropped (pixels)
};

struct LabelRegion {
    int value = 0;  // the label value (255 for a binary mask)
    Mask mask;
};
std::vector<LabelRegion> splitLabelMap(const cv::Mat& labels, const LabelMapRules& rules);
// The ignore value's pixels; a null mask when there are none.
Mask ignoreRegion(const cv::Mat& labels, int ignoreValue);

}  // namespace samtok::dataset
