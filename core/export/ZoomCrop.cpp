#include "export/ZoomCrop.h"

#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace samtok::exporter {

bool needsZoomCrop(const PixelBox& box, int w, int h) {
    const double share = static_cast<double>(box.width) * box.height / (static_cast<double>(w) * h);
    return share <= kZoomMaxBoxShare;
}

namespace {

// One axis: grow [begin, begin + len) to at least minLen about its centre, then keep it inside [0, limit).
std::pair<int, int> growAxis(int begin, int len, int limit) {
    if (len >= kZoomMinSide) return {begin, len};
    const double centre = begin + len / 2.0;
    int b = static_cast<int>(std::floor(centre - kZoomMinSide / 2.0));
    int e = b + kZoomMinSide;
    if (b < 0) e -= b, b = 0;
    if (e > limit) b -= e - limit, e = limit;
    b = std::max(b, 0);
    return {b, e - b};
}

}  // namespace

cv::Rect zoomRegion(const PixelBox& box, int w, int h) {
    const auto [x, cw] = growAxis(box.x, box.width, w);
    const auto [y, ch] = growAxis(box.y, box.height, h);
    return {x, y, cw, ch};
}

ZoomCrop makeZoomCrop(const cv::Mat& rgb, const Mask& mask, const PixelBox& box) {
    ZoomCrop c;
    c.region = zoomRegion(box, rgb.cols, rgb.rows);
    cv::Mat image = rgb(c.region).clone();
    cv::Mat m = toMat(mask)(c.region).clone();
    if (std::max(image.cols, image.rows) < kZoomTargetShortSide) {
        const double scale = static_cast<double>(kZoomTargetShortSide) / std::min(image.cols, image.rows);
        const cv::Size size(static_cast<int>(std::lround(image.cols * scale)),
                            static_cast<int>(std::lround(image.rows * scale)));
        cv::resize(image, image, size, 0, 0, cv::INTER_LANCZOS4);
        cv::resize(m, m, size, 0, 0, cv::INTER_NEAREST);
    }
    c.rgb = image;
    c.mask = fromMat(m);
    return c;
}

}  // namespace samtok::exporter
