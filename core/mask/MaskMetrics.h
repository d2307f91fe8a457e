#pragma once
#include "mask/Mask.h"

namespace samtok {

// Intersection over union of two masks of one size. Two empty masks give 0,
// as pycocotools does. An `ignore` mask (same size, may be null) excludes its
// pixels from both counts (GrabCut's uncertain band).
double maskIou(const Mask& a, const Mask& b, const Mask* ignore = nullptr);

// Boundary IoU (Cheng et al., CVPR 2021): IoU of the bands within d pixels
// inside each mask's boundary, d = max(1, round(dilationRatio * image diagonal)).
double boundaryIou(const Mask& a, const Mask& b, double dilationRatio = 0.02);

// The band of foreground pixels within d pixels of the mask's boundary.
Mask innerBoundary(const Mask& mask, int distance);

}  // namespace samtok
