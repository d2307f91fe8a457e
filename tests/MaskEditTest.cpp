// The pixel operations of the brush, eraser and polygon tools, and the GrabCut
// fallback of the click tool.
#include "mask/GrabCutPrompt.h"
#include "mask/MaskEdit.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

using namespace samtok;

TEST(MaskEdit, ABrushStrokeCoversACapsuleAndTheEraserTakesItBack) {
    Mask m(60, 100);
    paintStroke(m, {{20, 30}, {80, 30}}, 5, true);
    EXPECT_TRUE(m.at(30, 50));
    EXPECT_TRUE(m.at(34, 50));
    EXPECT_FALSE(m.at(37, 50));
    EXPECT_TRUE(m.at(30, 16));  // the round cap
    EXPECT_FALSE(m.at(30, 10));
    const auto area = m.area();
    EXPECT_NEAR(static_cast<double>(area), 60 * 11 + 3.14159 * 25, 60);
    paintStroke(m, {{50, 0}, {50, 59}}, 3, false);
    EXPECT_FALSE(m.at(30, 50));
    EXPECT_LT(m.area(), area);
}

TEST(MaskEdit, PolygonsAddAndCutFillHolesKeepTheLargestPart) {
    Mask m(50, 50);
    paintPolygon(m, {{5, 5}, {45, 5}, {45, 45}, {5, 45}}, true);
    EXPECT_EQ(m.area(), 41u * 41u);
    paintPolygon(m, {{20, 20}, {30, 20}, {30, 30}, {20, 30}}, false);  // a hole
    EXPECT_FALSE(m.at(25, 25));
    const Mask filled = fillHoles(m);
    EXPECT_TRUE(filled.at(25, 25));
    EXPECT_EQ(filled.area(), 41u * 41u);
    Mask two(50, 50);
    paintPolygon(two, {{1, 1}, {10, 1}, {10, 10}, {1, 10}}, true);
    paintPolygon(two, {{20, 20}, {48, 20}, {48, 48}, {20, 48}}, true);
    const Mask big = largestPart(two);
    EXPECT_FALSE(big.at(5, 5));
    EXPECT_TRUE(big.at(30, 30));
}

TEST(GrabCutPrompt, FindsAnObjectThatStandsOutFromAClickOrABox) {
    cv::Mat rgb(120, 160, CV_8UC3, cv::Scalar(30, 90, 40));
    cv::randn(rgb, cv::Scalar(30, 90, 40), cv::Scalar(8, 8, 8));
    cv::circle(rgb, {90, 60}, 25, cv::Scalar(230, 40, 40), -1);
    Mask truth(120, 160);
    for (int y = 0; y < 120; ++y)
        for (int x = 0; x < 160; ++x) truth.set(y, x, (x - 90) * (x - 90) + (y - 60) * (y - 60) <= 625);
    auto iou = [&](const Mask& m) {
        std::uint64_t inter = 0, uni = 0;
        for (std::size_t i = 0; i < m.size(); ++i)
            inter += m.data()[i] && truth.data()[i], uni += m.data()[i] || truth.data()[i];
        return static_cast<double>(inter) / static_cast<double>(uni);
    };
    const cv::Rect box(60, 30, 62, 62);
    EXPECT_GT(iou(grabCutFromPrompt(rgb, {}, &box)), 0.85);
    EXPECT_GT(iou(grabCutFromPrompt(rgb, {{90, 60, true}, {20, 20, false}}, nullptr)), 0.85);
    EXPECT_EQ(grabCutFromPrompt(rgb, {}, nullptr).area(), 0u);  // no prompt, no region
}
