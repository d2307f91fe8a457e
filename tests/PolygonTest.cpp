#include "TestPaths.h"
#include "io/ImageIO.h"
#include "mask/MaskCv.h"
#include "mask/MaskMetrics.h"
#include "mask/Polygon.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

using namespace samtok;

namespace {

// Two blobs; the first has two holes, one of which holds an island.
Mask maskWithHoles() {
    cv::Mat m = cv::Mat::zeros(120, 160, CV_8UC1);
    cv::circle(m, {50, 60}, 45, 1, -1);
    cv::rectangle(m, {25, 40}, {45, 80}, 0, -1);  // hole
    cv::circle(m, {70, 60}, 12, 0, -1);           // hole
    cv::circle(m, {70, 60}, 4, 1, -1);            // island inside it
    cv::ellipse(m, {130, 30}, {20, 10}, 30, 0, 360, 1, -1);
    return fromMat(m);
}

}  // namespace

TEST(Polygon, MaskWithHolesRoundTripsExactly) {
    const Mask m = maskWithHoles();
    const auto regions = maskToPolygons(m);
    ASSERT_EQ(regions.size(), 3u);  // big blob, island, ellipse
    std::size_t holes = 0;
    for (const auto& r : regions) holes += r.holes.size();
    EXPECT_EQ(holes, 2u);
    EXPECT_EQ(polygonsToMask(regions, m.height(), m.width()), m);
}

TEST(Polygon, RoundTripsRealMasks) {
    for (const char* stem : {"101085", "118035", "12003", "157055"}) {
        SCOPED_TRACE(stem);
        const Mask m = readMask((test::sharedDir() / "golden/coco-rle/masks" / (std::string(stem) + ".png")).string());
        EXPECT_EQ(polygonsToMask(maskToPolygons(m), m.height(), m.width()), m);
    }
}

TEST(Polygon, SimplificationKeepsTheShape) {
    const Mask m = maskWithHoles();
    const auto coarse = maskToPolygons(m, 1.5);
    std::size_t vertices = 0, full = 0;
    for (const auto& r : coarse) vertices += r.outer.size();
    for (const auto& r : maskToPolygons(m)) full += r.outer.size();
    EXPECT_LT(vertices * 4, full);
    EXPECT_GT(maskIou(polygonsToMask(coarse, m.height(), m.width()), m), 0.95);
}

TEST(Polygon, RingsFillWithoutHoleStructure) {
    const Ring square{{2, 2}, {7, 2}, {7, 7}, {2, 7}};
    const Mask m = ringsToMask({square}, 10, 10);
    EXPECT_EQ(m.area(), 36u);
    EXPECT_EQ(m.boundingBox(), (PixelBox{2, 2, 6, 6}));
}

TEST(MaskMetrics, IouOfKnownOverlaps) {
    Mask a(10, 10), b(10, 10);
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 5; ++x) a.set(y, x, true);  // left half: 50 px
    for (int y = 0; y < 10; ++y)
        for (int x = 3; x < 10; ++x) b.set(y, x, true);  // 70 px, overlap 20
    EXPECT_DOUBLE_EQ(maskIou(a, b), 20.0 / 100.0);
    EXPECT_DOUBLE_EQ(maskIou(a, a), 1.0);
    EXPECT_DOUBLE_EQ(maskIou(Mask(3, 3), Mask(3, 3)), 0.0);
    Mask ignore(10, 10);
    for (int y = 0; y < 10; ++y) ignore.set(y, 3, true);  // drop one overlapping column
    EXPECT_DOUBLE_EQ(maskIou(a, b, &ignore), 10.0 / 90.0);
}

TEST(MaskMetrics, BoundaryIouIsStricterThanIouOnThinErrors) {
    cv::Mat big = cv::Mat::zeros(200, 200, CV_8UC1), shifted = big.clone();
    cv::circle(big, {100, 100}, 60, 1, -1);
    cv::circle(shifted, {103, 100}, 60, 1, -1);
    const Mask a = fromMat(big), b = fromMat(shifted);
    EXPECT_DOUBLE_EQ(boundaryIou(a, a), 1.0);
    const double iou = maskIou(a, b), biou = boundaryIou(a, b);
    EXPECT_GT(iou, 0.9);
    EXPECT_LT(biou, iou);
    EXPECT_GT(biou, 0.3);
}

TEST(MaskMetrics, InnerBoundaryCountsTheImageBorder) {
    Mask full(6, 6);
    std::fill(full.data(), full.data() + full.size(), 1);
    EXPECT_EQ(innerBoundary(full, 1).area(), 20u);  // the outer ring of a 6x6 square
}
