#include "mask/MaskMetrics.h"

#include "mask/MaskCv.h"
#include "util/Error.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <string>

namespace samtok {
namespace {

void requireSameSize(const Mask& a, const Mask& b, const char* what) {
    if (a.height() != b.height() || a.width() != b.width())
        throw UserError(std::string(what) + ": masks differ in size (" + std::to_string(a.height()) + "x" +
                        std::to_string(a.width()) + " and " + std::to_string(b.height()) + "x" +
                        std::to_string(b.width()) + ")");
}

}  // namespace

double maskIou(const Mask& a, const Mask& b, const Mask* ignore) {
    requireSameSize(a, b, "IoU");
    if (ignore && !ignore->isNull()) requireSameSize(a, *ignore, "IoU ignore mask");
    const bool useIgnore = ignore && !ignore->isNull();
    std::uint64_t inter = 0, uni = 0;
    const std::uint8_t* pa = a.data();
    const std::uint8_t* pb = b.data();
    const std::uint8_t* pi = useIgnore ? ignore->data() : nullptr;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (pi && pi[i]) continue;
        inter += pa[i] & pb[i];
        uni += pa[i] | pb[i];
    }
    return uni == 0 ? 0.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

Mask innerBoundary(const Mask& mask, int distance) {
    cv::Mat m = toMat(mask);
    // Pad with background so the image border counts as a boundary, as the
    // reference implementation does.
    cv::Mat padded;
    cv::copyMakeBorder(m, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::Mat eroded;
    cv::erode(padded, eroded, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}), {-1, -1}, distance);
    cv::Mat band = padded - eroded;
    return fromMat(band(cv::Rect(1, 1, m.cols, m.rows)).clone());
}

double boundaryIou(const Mask& a, const Mask& b, double dilationRatio) {
    requireSameSize(a, b, "boundary IoU");
    const double diagonal =
        std::sqrt(static_cast<double>(a.height()) * a.height() + static_cast<double>(a.width()) * a.width());
    const int d = std::max(1, static_cast<int>(std::lround(dilationRatio * diagonal)));
    return maskIou(innerBoundary(a, d), innerBoundary(b, d));
}

}  // namespace samtok
