#include "mask/Polygon.h"

#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace samtok {
namespace {

std::vector<cv::Point> toCv(const Ring& ring) {
    std::vector<cv::Point> out;
    out.reserve(ring.size());
    for (const Point& p : ring)
        out.emplace_back(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y)));
    return out;
}

Ring fromCv(const std::vector<cv::Point>& contour) {
    Ring out;
    out.reserve(contour.size());
    for (const cv::Point& p : contour) out.push_back({static_cast<double>(p.x), static_cast<double>(p.y)});
    return out;
}

Ring simplified(const std::vector<cv::Point>& contour, double epsilon) {
    if (epsilon <= 0) return fromCv(contour);
    std::vector<cv::Point> approx;
    cv::approxPolyDP(contour, approx, epsilon, true);
    return fromCv(approx);
}

}  // namespace

Mask polygonsToMask(const std::vector<PolygonRegion>& regions, int height, int width) {
    cv::Mat m = cv::Mat::zeros(height, width, CV_8UC1);
    // An island inside another region's hole must be drawn after that hole is
    // carved, so draw larger regions first (a region is larger than anything it contains).
    std::vector<std::pair<double, const PolygonRegion*>> ordered;
    for (const PolygonRegion& r : regions)
        if (!r.outer.empty()) ordered.emplace_back(std::abs(cv::contourArea(toCv(r.outer))), &r);
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [area, region] : ordered) {
        const PolygonRegion& r = *region;
        std::vector<std::vector<cv::Point>> outer{toCv(r.outer)};
        cv::fillPoly(m, outer, cv::Scalar(1), cv::LINE_8);
        for (const Ring& hole : r.holes) {
            if (hole.empty()) continue;
            std::vector<std::vector<cv::Point>> h{toCv(hole)};
            cv::fillPoly(m, h, cv::Scalar(0), cv::LINE_8);
            cv::polylines(m, h, true, cv::Scalar(1), 1, cv::LINE_8);
        }
    }
    return fromMat(m);
}

Mask ringsToMask(const std::vector<Ring>& rings, int height, int width) {
    cv::Mat m = cv::Mat::zeros(height, width, CV_8UC1);
    std::vector<std::vector<cv::Point>> polys;
    for (const Ring& r : rings)
        if (!r.empty()) polys.push_back(toCv(r));
    if (!polys.empty()) cv::fillPoly(m, polys, cv::Scalar(1), cv::LINE_8);
    return fromMat(m);
}

std::vector<PolygonRegion> maskToPolygons(const Mask& mask, double epsilon) {
    std::vector<PolygonRegion> out;
    if (mask.isNull()) return out;
    cv::Mat m = toMat(mask);
    std::vector<std::vector<cv::Point>> contours;
    std::vector<cv::Vec4i> hierarchy;
    // RETR_CCOMP: two levels, outer boundaries and the holes directly inside them.
    cv::findContours(m, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_NONE);
    for (std::size_t i = 0; i < contours.size(); ++i) {
        if (hierarchy[i][3] >= 0) continue;  // a hole; collected with its parent
        PolygonRegion region;
        region.outer = simplified(contours[i], epsilon);
        for (int child = hierarchy[i][2]; child >= 0; child = hierarchy[child][0])
            region.holes.push_back(simplified(contours[child], epsilon));
        out.push_back(std::move(region));
    }
    return out;
}

}  // namespace samtok
