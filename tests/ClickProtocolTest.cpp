// The automatic click protocol and the NoC measure on masks whose answers are known.
#include "TestMasks.h"
#include "eval/ClickProtocol.h"

#include <gtest/gtest.h>

using namespace samtok;
using samtok::eval::nextClick;
using samtok::test::rectMask;

namespace {

Mask unite(Mask a, const Mask& b) {
    for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] |= b.data()[i];
    return a;
}

}  // namespace

TEST(ClickProtocol, FirstClickIsTheObjectCentre) {
    const Mask truth = rectMask(60, 80, 10, 20, 31, 41);  // 21 x 21, centre (20, 30)
    const auto c = nextClick(truth, Mask(60, 80));
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->positive);
    EXPECT_EQ(c->x, 20);
    EXPECT_EQ(c->y, 30);
}

TEST(ClickProtocol, ClickGoesToTheLargestErrorRegion) {
    const Mask truth = unite(rectMask(60, 80, 0, 0, 30, 30), rectMask(60, 80, 70, 50, 73, 53));
    // Prediction: the big square (correct), plus an 11 x 11 false blob; the 3 x 3 square is missed.
    const Mask prediction = unite(rectMask(60, 80, 0, 0, 30, 30), rectMask(60, 80, 40, 40, 51, 51));
    const auto c = nextClick(truth, prediction);
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->positive);
    EXPECT_EQ(c->x, 45);
    EXPECT_EQ(c->y, 45);
}

TEST(ClickProtocol, TheImageBorderCountsAsBoundary) {
    // A missed band along the left edge: the click sits mid-band, not on the edge.
    const Mask truth = rectMask(40, 40, 0, 0, 9, 40);
    const auto c = nextClick(truth, Mask(40, 40));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->x, 4);
}

TEST(ClickProtocol, IgnoredPixelsAreNeverErrors) {
    const Mask truth = rectMask(30, 30, 5, 5, 25, 25);
    EXPECT_FALSE(nextClick(truth, truth));
    // Everything missed lies in the ignored band: nothing to click.
    EXPECT_FALSE(nextClick(truth, Mask(30, 30), &truth));
    // Half ignored: the click lands in the other half.
    const Mask leftHalf = rectMask(30, 30, 0, 0, 15, 30);
    const auto c = nextClick(truth, Mask(30, 30), &leftHalf);
    ASSERT_TRUE(c);
    EXPECT_GE(c->x, 15);
}

TEST(ClickProtocol, NocCountsClicksAndCaps) {
    EXPECT_EQ(eval::clicksToReach({0.5, 0.86, 0.95}, 0.85), 2);
    EXPECT_EQ(eval::clicksToReach({0.5, 0.86, 0.95}, 0.90), 3);
    EXPECT_EQ(eval::clicksToReach({0.91}, 0.90), 1);
    EXPECT_EQ(eval::clicksToReach(std::vector<double>(25, 0.7), 0.85, 20), 20);
    const auto shares = eval::shareAtLeast({0.4, 0.5, 0.8, 0.95}, {0.5, 0.75, 0.9});
    EXPECT_DOUBLE_EQ(shares[0], 0.75);
    EXPECT_DOUBLE_EQ(shares[1], 0.5);
    EXPECT_DOUBLE_EQ(shares[2], 0.25);
}
