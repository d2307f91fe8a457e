#pragma once
// The standard automatic protocol of interactive segmentation benchmarks
// (../shared/data/README.md): each next click goes to the interior point
// farthest from the boundary of the largest error region, positive when that
// region is missed foreground. Plus the measures built on it: NoC@85/90
// (clicks to reach the IoU, capped at 20) and mIoU after k clicks.
#include "mask/Mask.h"

#include <optional>
#include <vector>

namespace samtok::eval {

struct Click {
    int x = 0, y = 0;
    bool positive = true;
};

// nullopt when prediction and ground truth agree everywhere outside `ignore`.
std::optional<Click> nextClick(const Mask& truth, const Mask& prediction, const Mask* ignore = nullptr);

// Clicks needed for iou[k] (IoU after k + 1 clicks) to reach `threshold`;
// `cap` when it never does within the list.
int clicksToReach(const std::vector<double>& iouPerClick, double threshold, int cap = 20);

// Shares of values at or above each threshold.
std::vector<double> shareAtLeast(const std::vector<double>& values, const std::vector<double>& thresholds);

}  // namespace samtok::eval
