#include "mask/MaskEdit.h"

#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace samtok {

namespace {
// Fixed-point drawing keeps sub-pixel brush positions.
constexpr int kShift = 4;
cv::Point fixedPoint(const Point& p) {
    return {static_cast<int>(std::lround(p.x * (1 << kShift))), static_cast<int>(std::lround(p.y * (1 << kShift)))};
}
void copyBack(Mask& mask, const cv::Mat& m) {
    mask = fromMat(m);
}
}  // namespace

void paintStroke(Mask& mask, const std::vector<Point>& path, double radius, bool value) {
    if (path.empty()) return;
    cv::Mat m = toMat(mask);
    const int r = std::max(0, static_cast<int>(std::lround(radius * (1 << kShift))));
    const cv::Scalar v(value ? 1 : 0);
    cv::circle(m, fixedPoint(path[0]), r, v, cv::FILLED, cv::LINE_8, kShift);
    for (std::size_t i = 1; i < path.size(); ++i) {
        cv::line(m, fixedPoint(path[i - 1]), fixedPoint(path[i]), v,
                 std::max(1, static_cast<int>(std::lround(2 * radius))), cv::LINE_8, kShift);
        cv::circle(m, fixedPoint(path[i]), r, v, cv::FILLED, cv::LINE_8, kShift);
    }
    copyBack(mask, m);
}

void paintPolygon(Mask& mask, const Ring& polygon, bool value) {
    if (polygon.size() < 3) return;
    const Mask inside = ringsToMask({polygon}, mask.height(), mask.width());
    for (std::size_t i = 0; i < mask.size(); ++i)
        if (inside.data()[i]) mask.data()[i] = value ? 1 : 0;
}

Mask fillHoles(const Mask& mask) {
    cv::Mat m = toMat(mask);
    cv::Mat padded;
    cv::copyMakeBorder(m, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::Mat outside = padded.clone();
    cv::floodFill(outside, cv::Point(0, 0), cv::Scalar(2));
    cv::Mat filled = (outside != 2)(cv::Rect(1, 1, m.cols, m.rows));
    return fromMat(filled);
}

Mask largestPart(const Mask& mask) {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(toMat(mask), labels, stats, centroids, 8, CV_32S);
    if (n <= 1) return mask;
    int best = 1;
    for (int i = 2; i < n; ++i)
        if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA)) best = i;
    return fromMat(labels == best);
}

}  // namespace samtok
