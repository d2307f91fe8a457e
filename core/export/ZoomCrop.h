#pragma once
// SAMTok's zoom-in rule for region captioning (its DAM tokenisation script):
// a region whose box covers at most 20 % of the image also gets a crop, the
// box grown to at least 140 px a side (centred, clipped to the image); a crop
// whose longer side is under 280 px is upscaled (Lanczos) until its shorter
// side is 280. The mask is cut and scaled the same way (nearest), and its
// tokens must be computed on the crop: tokens belong to the pixels they were
// encoded with.
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
ZoomCrop makeZoomCrop(const cv::Mat& rgb, const Mask& mask, const PixelBox& box);

}  // namespace samtok::exporter
