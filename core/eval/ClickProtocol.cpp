#include "eval/ClickProtocol.h"

#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace samtok::eval {

std::optional<Click> nextClick(const Mask& truth, const Mask& prediction, const Mask* ignore) {
    const int h = truth.height(), w = truth.width();
    cv::Mat missed(h, w, CV_8U), extra(h, w, CV_8U);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const bool skip = ignore && !ignore->isNull() && ignore->at(y, x);
            const bool t = truth.at(y, x), p = prediction.at(y, x);
            missed.at<uchar>(y, x) = (!skip && t && !p) ? 255 : 0;
            extra.at<uchar>(y, x) = (!skip && p && !t) ? 255 : 0;
        }
    // The largest connected error region of either kind.
    int bestArea = 0, bestLabel = 0;
    bool bestPositive = true;
    cv::Mat bestLabels;
    for (const bool positive : {true, false}) {
        cv::Mat labels, stats, centroids;
        const int n = cv::connectedComponentsWithStats(positive ? missed : extra, labels, stats, centroids, 8, CV_32S);
        for (int i = 1; i < n; ++i) {
            const int area = stats.at<int>(i, cv::CC_STAT_AREA);
            if (area > bestArea) {
                bestArea = area, bestLabel = i, bestPositive = positive;
                bestLabels = labels;
            }
        }
    }
    if (bestArea == 0) return std::nullopt;
    // Distance to the region's boundary, the image border counting as boundary.
    cv::Mat region = (bestLabels == bestLabel);
    cv::Mat padded;
    cv::copyMakeBorder(region, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, 0);
    cv::Mat dist;
    cv::distanceTransform(padded, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE);
    cv::Point at;
    cv::minMaxLoc(dist(cv::Rect(1, 1, w, h)), nullptr, nullptr, nullptr, &at);
    return Click{at.x, at.y, bestPositive};
}

int clicksToReach(const std::vector<double>& iouPerClick, double threshold, int cap) {
    for (std::size_t k = 0; k < iouPerClick.size() && static_cast<int>(k) < cap; ++k)
        if (iouPerClick[k] >= threshold) return static_cast<int>(k) + 1;
    return cap;
}

std::vector<double> shareAtLeast(const std::vector<double>& values, const std::vector<double>& thresholds) {
    std::vector<double> out;
    for (double t : thresholds) {
        const auto n = std::count_if(values.begin(), values.end(), [t](double v) { return v >= t; });
        out.push_back(values.empty() ? 0.0 : static_cast<double>(n) / values.size());
    }
    return out;
}

}  // namespace samtok::eval
