#pragma once
// SAMTok's zoom-in rule for region captioning, with the geometry of its DAM
// tokenisation script (projects/samtok/datasets/tokenize_2d_mask/tokenize_dam.py),
// so that exported crops frame regions as Qwen-VL-SAMTok models saw them in
// training (the pixels differ slightly: OpenCV's Lanczos has 8 taps, PIL's 6):
//   - the box is torchvision's masks_to_boxes (x2, y2 the last pixel's index);
//     a region whose box area (x2-x1)*(y2-y1) is at most 20 % of the image gets
//     a crop;
//   - a side under 140 grows by (140 - side) // 2 at each end, then is clipped
//     to the image (not shifted), and the crop is [x1, x2) x [y1, y2);
//   - a non-square crop whose longer side is under 280 is upscaled (Lanczos)
//     to a shorter side of 280, the longer side truncated; a square crop never;
//   - the mask is cut the same way and scaled bilinearly, kept above 0.5.
// The mask's tokens must be computed on the crop: tokens belong to the pixels
// they were encoded with.
#include "mask/Mask.h"

#include <opencv2/core.hpp>

namespace samtok::exporter {

constexpr double kZoomMaxBoxShare = 0.20;
constexpr int kZoomMinSide = 140;
constexpr int kZoomTargetShortSide = 280;

bool needsZoomCrop(const PixelBox& box, int imageWidth, int imageHeight);

struct ZoomCrop {
    cv::Rect region;  // in the image
    cv::Mat rgb;      // the crop, possibly upscaled
    Mask mask;        // the region's mask on the crop
};

// The crop rectangle for a box (exposed for tests).
cv::Rect zoomRegion(const PixelBox& box, int imageWidth, int imageHeight);
// The size a crop of this size is upscaled to (itself when it is not).
cv::Size zoomSize(cv::Size crop);
ZoomCrop makeZoomCrop(const cv::Mat& rgb, const Mask& mask, const PixelBox& box);

}  // namespace samtok::exporter
