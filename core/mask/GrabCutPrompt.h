#pragma once
// The click tool without a network: OpenCV's GrabCut seeded from the same
// prompts (a box, positive and negative points). Used when the loaded model
// has no mask decoder for prompts; the studio says so when it does.
#include "mask/Mask.h"

#include <opencv2/core.hpp>

#include <vector>

namespace samtok {

struct PromptSeed {
    float x = 0, y = 0;
    bool positive = true;
};

// rgb: CV_8UC3. Without a box, the box is the points' bounding box grown by a
// quarter of the image's shorter side. Returns the largest foreground part
// touching a positive point (or the largest part), empty when nothing is found.
Mask grabCutFromPrompt(const cv::Mat& rgb, const std::vector<PromptSeed>& points, const cv::Rect* box,
                       int iterations = 3);

}  // namespace samtok
