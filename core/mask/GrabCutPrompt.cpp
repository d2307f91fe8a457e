#include "mask/GrabCutPrompt.h"

#include "mask/MaskCv.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace samtok {

Mask grabCutFromPrompt(const cv::Mat& rgb, const std::vector<PromptSeed>& points, const cv::Rect* box, int iterations) {
    const cv::Rect image(0, 0, rgb.cols, rgb.rows);
    cv::Rect rect;
    if (box) {
        rect = *box & image;
    } else {
        if (points.empty()) return Mask(rgb.rows, rgb.cols);
        float x0 = points[0].x, y0 = points[0].y, x1 = x0, y1 = y0;
        for (const auto& p : points)
            if (p.positive)
                x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
        const int grow = std::min(rgb.cols, rgb.rows) / 4;
        rect = cv::Rect(cv::Point(static_cast<int>(x0) - grow, static_cast<int>(y0) - grow),
                        cv::Point(static_cast<int>(x1) + grow + 1, static_cast<int>(y1) + grow + 1)) &
               image;
    }
    if (rect.width < 2 || rect.height < 2) return Mask(rgb.rows, rgb.cols);
    cv::Mat labels(rgb.size(), CV_8UC1, cv::Scalar(cv::GC_BGD));
    labels(rect).setTo(cv::GC_PR_FGD);
    const int r = std::max(2, std::min(rgb.cols, rgb.rows) / 100);
    for (const auto& p : points)
        cv::circle(labels, cv::Point(static_cast<int>(p.x), static_cast<int>(p.y)), r,
                   p.positive ? cv::GC_FGD : cv::GC_BGD, -1);
    cv::Mat bgd, fgd, bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    cv::grabCut(bgr, labels, rect, bgd, fgd, iterations, cv::GC_INIT_WITH_MASK);
    cv::Mat fg = (labels == cv::GC_FGD) | (labels == cv::GC_PR_FGD);
    // Keep the connected part under the clicks: GrabCut often adds specks.
    cv::Mat parts;
    const int n = cv::connectedComponents(fg, parts, 8, CV_32S);
    if (n <= 1) return Mask(rgb.rows, rgb.cols);
    int keep = -1;
    for (const auto& p : points) {
        const int x = std::clamp(static_cast<int>(p.x), 0, rgb.cols - 1),
                  y = std::clamp(static_cast<int>(p.y), 0, rgb.rows - 1);
        if (p.positive && parts.at<int>(y, x) > 0) keep = parts.at<int>(y, x);
    }
    if (keep < 0) {
        std::vector<int> sizes(static_cast<std::size_t>(n), 0);
        for (int y = 0; y < parts.rows; ++y)
            for (int x = 0; x < parts.cols; ++x) ++sizes[static_cast<std::size_t>(parts.at<int>(y, x))];
        keep = static_cast<int>(std::max_element(sizes.begin() + 1, sizes.end()) - sizes.begin());
    }
    return fromMat(parts == keep);
}

}  // namespace samtok
