#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <stdexcept>

namespace samtok {

cv::Mat toMat(const Mask& mask) {
    cv::Mat m(mask.height(), mask.width(), CV_8UC1);
    if (!mask.isNull()) std::copy(mask.data(), mask.data() + mask.size(), m.data);
    return m;
}

cv::Mat toMat255(const Mask& mask) {
    return toMat(mask) * 255;
}

Mask fromMat(const cv::Mat& image, int threshold) {
    if (image.type() != CV_8UC1) throw std::invalid_argument("fromMat: expected a CV_8UC1 image");
    cv::Mat binary;
    cv::compare(image, threshold, binary, cv::CMP_GT);  // 0 / 255, continuous
    std::vector<std::uint8_t> pixels(binary.total());
    for (int y = 0; y < binary.rows; ++y) {
        const std::uint8_t* src = binary.ptr<std::uint8_t>(y);
        std::uint8_t* dst = pixels.data() + static_cast<std::size_t>(y) * binary.cols;
        for (int x = 0; x < binary.cols; ++x) dst[x] = src[x] & 1;
    }
    return Mask(image.rows, image.cols, std::move(pixels));
}

}  // namespace samtok

namespace samtok {
Mask shrinkMask(const Mask& mask, int longSide) {
    const int longer = std::max(mask.width(), mask.height());
    if (longSide <= 0 || longer <= longSide) return mask;
    const double scale = static_cast<double>(longSide) / longer;
    const cv::Size size(std::max(1, static_cast<int>(mask.width() * scale + 0.5)),
                        std::max(1, static_cast<int>(mask.height() * scale + 0.5)));
    cv::Mat small;
    cv::resize(toMat255(mask), small, size, 0, 0, cv::INTER_AREA);
    return fromMat(small, 127);
}
}  // namespace samtok
