// Zoom-in crops as SAMTok's tokenize_dam.py makes them. Each expected number is
// worked out with the script's own arithmetic in the comment beside it.
#include "TestMasks.h"
#include "export/ZoomCrop.h"

#include <gtest/gtest.h>

using namespace samtok;
using namespace samtok::exporter;
using samtok::test::rectMask;

TEST(ZoomCrop, TheBoxShareUsesTorchvisionsBoxesWhoseSidesAreOnePixelShort) {
    // A 45 x 45 mask: masks_to_boxes gives x2 - x1 = 44, so 44 * 44 / 100^2 = 19.4 % <= 20 %: zoomed.
    EXPECT_TRUE(needsZoomCrop({0, 0, 45, 45}, 100, 100));
    // 46 x 46: 45 * 45 = 20.25 % > 20 %: one image.
    EXPECT_FALSE(needsZoomCrop({0, 0, 46, 46}, 100, 100));
}

TEST(ZoomCrop, ASmallBoxGrowsByHalfTheShortfallAtEachEndAndCanEndOneShortOf140) {
    // x 300..319: side 19, grown by (140 - 19) // 2 = 60: [240, 379), 139 wide.
    // y 200..209: side 9, grown by 65: [135, 274), 139 high.
    EXPECT_EQ(zoomRegion({300, 200, 20, 10}, 1000, 800), cv::Rect(240, 135, 139, 139));
    // An even shortfall: x 300..339, side 39, grown by 50: [250, 389).
    EXPECT_EQ(zoomRegion({300, 200, 40, 141}, 1000, 800).x, 250);
    EXPECT_EQ(zoomRegion({300, 200, 40, 141}, 1000, 800).width, 139);
}

TEST(ZoomCrop, ABoxAtTheBorderIsClippedNotShifted) {
    // x 0..19 grown by 60 to [-60, 79): clipped to [0, 79). y 790..799 grown by 65 to [725, 864): [725, 800).
    EXPECT_EQ(zoomRegion({0, 790, 20, 10}, 1000, 800), cv::Rect(0, 725, 79, 75));
}

TEST(ZoomCrop, ALargeBoxIsCutAtItsLastPixelsIndexAsTheScriptDoes) {
    // x 100..399 (side 299 >= 140) stays; the crop is image.crop((100, .., 399, ..)): 299 wide.
    EXPECT_EQ(zoomRegion({100, 100, 300, 200}, 1000, 800), cv::Rect(100, 100, 299, 199));
}

TEST(ZoomCrop, OnlyNonSquareCropsUnder280AreUpscaledToAShortSideOf280) {
    EXPECT_EQ(zoomSize({139, 139}), cv::Size(139, 139));  // square: never
    // 79 x 75: wide, under 280: height 280, width int(79 * (280 / 75)) = int(294.93) = 294.
    EXPECT_EQ(zoomSize({79, 75}), cv::Size(294, 280));
    // 139 x 199: tall, under 280: width 280, height int(199 * (280 / 139)) = int(400.86) = 400.
    EXPECT_EQ(zoomSize({139, 199}), cv::Size(280, 400));
    EXPECT_EQ(zoomSize({299, 199}), cv::Size(299, 199));  // the longer side is not under 280
    EXPECT_EQ(zoomSize({150, 300}), cv::Size(150, 300));
}

TEST(ZoomCrop, TheMaskIsScaledBilinearlyAndKeptAboveOneHalf) {
    // Box x 500..549, y 100..299 in 1000 x 800: x grows by 45 to [455, 594) (139 wide), y stays [100, 299):
    // a 139 x 199 crop, upscaled to 280 x 400 (scale 280 / 139 = 2.0144 across).
    cv::Mat rgb(800, 1000, CV_8UC3, cv::Scalar(1, 2, 3));
    const Mask m = rectMask(800, 1000, 455, 100, 465, 299);  // the crop's first 10 columns, every row
    const ZoomCrop c = makeZoomCrop(rgb, m, {500, 100, 50, 200});
    EXPECT_EQ(c.region, cv::Rect(455, 100, 139, 199));
    ASSERT_EQ(c.rgb.cols, 280);
    ASSERT_EQ(c.rgb.rows, 400);
    ASSERT_EQ(c.mask.width(), 280);
    ASSERT_EQ(c.mask.height(), 400);
    // Bilinear (half-pixel centres) is above 0.5 for output column j while (j + 0.5) * 139 / 280 < 10, i.e. j < 19.64:
    // 20 columns. Nearest would keep 21 (j * 139 / 280 < 10).
    EXPECT_EQ(c.mask.area(), 20u * 400u);
    EXPECT_TRUE(c.mask.at(200, 19));
    EXPECT_FALSE(c.mask.at(200, 20));
}

TEST(ZoomCrop, ASquareCropKeepsTheMaskPixelForPixel) {
    cv::Mat rgb(800, 1000, CV_8UC3, cv::Scalar(1, 2, 3));
    const Mask m = rectMask(800, 1000, 300, 200, 320, 210);
    const ZoomCrop c = makeZoomCrop(rgb, m, {300, 200, 20, 10});
    EXPECT_EQ(c.rgb.cols, 139);
    EXPECT_EQ(c.rgb.rows, 139);
    EXPECT_EQ(c.mask.area(), 20u * 10u);
    EXPECT_TRUE(c.mask.at(65, 60));  // image (300, 200) is crop (60, 65)
}
