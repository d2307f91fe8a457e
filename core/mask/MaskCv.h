#pragma once
// Conversions between Mask and OpenCV images.
#include "mask/Mask.h"

#include <opencv2/core.hpp>

namespace samtok {

// CV_8UC1 of 0/1, sharing no memory with the mask.
cv::Mat toMat(const Mask& mask);
// CV_8UC1 of 0/255, for display and PNG files.
cv::Mat toMat255(const Mask& mask);
// Any single-channel 8-bit image; pixels > threshold are foreground.
Mask fromMat(const cv::Mat& image, int threshold = 0);

}  // namespace samtok

namespace samtok {
// The mask scaled so that its longer side is `longSide` pixels (never up): area
// averaging, then foreground where at least half the covered pixels are.
Mask shrinkMask(const Mask& mask, int longSide);
}  // namespace samtok
