#include "export/ZoomCrop.h"

#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace samtok::exporter {

bool needsZoomCrop(const PixelBox& box, int w, int h) {
    // masks_to_boxes: x2 - x1 is one less than the box's width in pixels.
    const double bw = std::max(0, box.width - 1), bh = std::max(0, box.height - 1);
    return bw * bh / (static_cast<double>(w) * h) <= kZoomMaxBoxShare;
}

namespace {

// One axis, as the script: [first, last] grown by (140 - (last - first)) // 2 at each end, clipped to [0, limit];
// the crop is [begin, end).
std::pair<int, int> growAxis(int first, int last, int limit) {
    const int side = last - first;
    if (side < kZoomMinSide) {
        const int grow = (kZoomMinSide - side) / 2;
        first -= grow, last += grow;
    }
    const int begin = std::clamp(first, 0, std::max(0, limit - 1));
    const int end = std::clamp(last, begin + 1, limit);  // never empty, even for a box on the last pixel
    return {begin, end};
}

}  // namespace

cv::Rect zoomRegion(const PixelBox& box, int w, int h) {
    const auto [x1, x2] = growAxis(box.x, box.x + box.width - 1, w);
    const auto [y1, y2] = growAxis(box.y, box.y + box.height - 1, h);
    return {x1, y1, x2 - x1, y2 - y1};
}

cv::Size zoomSize(cv::Size crop) {
    const int w = crop.width, h = crop.height;
    if (w > h && w < kZoomTargetShortSide)
        return {static_cast<int>(w * (static_cast<double>(kZoomTargetShortSide) / h)), kZoomTargetShortSide};
    if (h > w && h < kZoomTargetShortSide)
        return {kZoomTargetShortSide, static_cast<int>(h * (static_cast<double>(kZoomTargetShortSide) / w))};
    return crop;
}

ZoomCrop makeZoomCrop(const cv::Mat& rgb, const Mask& mask, const PixelBox& box) {
    ZoomCrop c;
    c.region = zoomRegion(box, rgb.cols, rgb.rows);
    cv::Mat image = rgb(c.region).clone();
    cv::Mat m = toMat(mask)(c.region).clone();
    const cv::Size size = zoomSize(image.size());
    if (size != image.size()) {
        cv::resize(image, image, size, 0, 0, cv::INTER_LANCZOS4);
        // torch.nn.functional.interpolate(mode='bilinear') > 0.5, on 0/1 values.
        cv::Mat f;
        cv::Mat(m > 0).convertTo(f, CV_32F, 1.0 / 255);
        cv::resize(f, f, size, 0, 0, cv::INTER_LINEAR);
        m = f > 0.5f;
    }
    c.rgb = image;
    c.mask = fromMat(m);
    return c;
}

}  // namespace samtok::exporter
