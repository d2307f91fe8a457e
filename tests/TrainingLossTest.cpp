// The trainer's losses: what each round-trip choice trains, and the mask loss
// ranking a right mask below a wrong one.
#include "train/TrainingLoss.h"

#include <gtest/gtest.h>

using namespace samtok::model;

namespace {

// Losses of three candidates for two masks; the IoU head returns candidate 2
// for the first mask (not its best, 1) and candidate 0 for the second (its best).
torch::Tensor perCandidate() {
    return torch::tensor({{0.5f, 0.2f, 0.9f}, {0.1f, 0.4f, 0.3f}}).requires_grad_();
}
torch::Tensor returned() {
    return torch::tensor({2, 0}, torch::kLong);
}

}  // namespace

TEST(TrainingLoss, RoundTripBestTrainsTheBestCandidateAlone) {
    auto l = perCandidate();
    auto loss = roundTripLoss(l, returned(), RoundTripCandidates::Best);
    EXPECT_TRUE(torch::allclose(loss, torch::tensor({0.2f, 0.1f})));
    loss.sum().backward();
    EXPECT_TRUE(torch::equal(l.grad(), torch::tensor({{0.f, 1.f, 0.f}, {1.f, 0.f, 0.f}})));
}

TEST(TrainingLoss, RoundTripAllTrainsEveryCandidate) {
    auto l = perCandidate();
    auto loss = roundTripLoss(l, returned(), RoundTripCandidates::All);
    EXPECT_TRUE(torch::allclose(loss, torch::tensor({1.6f / 3, 0.8f / 3})));
    loss.sum().backward();
    EXPECT_TRUE(torch::allclose(l.grad(), torch::full({2, 3}, 1.f / 3)));
}

TEST(TrainingLoss, RoundTripBestAndReturnedLeavesTheThirdCandidateFree) {
    auto l = perCandidate();
    auto loss = roundTripLoss(l, returned(), RoundTripCandidates::BestAndReturned);
    // First mask: best (0.2) + returned (0.9); second: its best is the one returned, counted twice.
    EXPECT_TRUE(torch::allclose(loss, torch::tensor({1.1f, 0.2f})));
    loss.sum().backward();
    EXPECT_TRUE(torch::equal(l.grad(), torch::tensor({{0.f, 1.f, 1.f}, {2.f, 0.f, 0.f}})));
}

TEST(TrainingLoss, MaskLossAndIouRankTheRightMaskFirst) {
    auto target = torch::zeros({1, 1, 16, 16});
    target.slice(2, 4, 12).slice(3, 4, 12).fill_(1);
    auto right = (target * 2 - 1) * 8;                     // confident and right
    auto shifted = right.roll({3}, {3});                   // the same square, 3 cells off
    auto wrong = -right;                                   // everything inverted
    auto logits = torch::cat({right, shifted, wrong}, 1);  // (1, 3, 16, 16)
    for (const MaskLossWeights w : {MaskLossWeights{1, 0, 3}, MaskLossWeights{0, 20, 1}}) {
        auto loss = maskLoss(logits, target, w);
        ASSERT_EQ(loss.sizes(), (std::vector<int64_t>{1, 3}));
        EXPECT_LT(loss[0][0].item<float>(), 0.01f);
        EXPECT_LT(loss[0][0].item<float>(), loss[0][1].item<float>());
        EXPECT_LT(loss[0][1].item<float>(), loss[0][2].item<float>());
    }
    auto iou = binaryIou(logits, target, 0.0);
    EXPECT_FLOAT_EQ(iou[0][0].item<float>(), 1.f);
    EXPECT_FLOAT_EQ(iou[0][1].item<float>(), 40.f / 88.f);  // 8x5 overlap of two 8x8 squares
    EXPECT_FLOAT_EQ(iou[0][2].item<float>(), 0.f);
}
