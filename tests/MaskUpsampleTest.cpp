// The one-pass mask upsampling against what it replaces: LibTorch's bilinear
// F::interpolate (align_corners=false) and a threshold.
#include "model/MaskUpsample.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <array>
#include <cmath>
#include <string>

using namespace samtok::model;
namespace F = torch::nn::functional;

namespace {

torch::Tensor byTorch(const torch::Tensor& low, int outWidth, int outHeight) {
    return F::interpolate(low.view({1, 1, low.size(0), low.size(1)}),
                          F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{outHeight, outWidth})
                              .mode(torch::kBilinear)
                              .align_corners(false))
        .contiguous();
}

}  // namespace

TEST(MaskUpsample, MatchesBilinearInterpolationAndThresholdToThePixel) {
    torch::manual_seed(7);
    // Up, down, odd ratios, one side unchanged, a one-pixel side.
    const std::vector<std::array<int, 4>> sizes{{64, 64, 640, 480}, {64, 64, 481, 353},    {64, 64, 64, 64},
                                                {64, 64, 37, 29},   {16, 16, 1000, 3},     {64, 64, 64, 300},
                                                {1, 1, 5, 7},       {256, 256, 1920, 1080}};
    for (const auto& [iw, ih, ow, oh] : sizes) {
        SCOPED_TRACE(std::to_string(iw) + "x" + std::to_string(ih) + " -> " + std::to_string(ow) + "x" +
                     std::to_string(oh));
        // Logits around the threshold, where an arithmetic difference would show.
        const auto low = (torch::randn({ih, iw}) * 3).contiguous();
        const auto up = byTorch(low, ow, oh);
        const float* ref = up.data_ptr<float>();
        for (float threshold : {0.f, 0.5f}) {
            const auto ours = upsampleAndThreshold(low.data_ptr<float>(), iw, ih, ow, oh, threshold);
            ASSERT_EQ(ours.size(), static_cast<std::size_t>(up.numel()));
            std::size_t differ = 0, differAway = 0, on = 0;
            for (std::size_t i = 0; i < ours.size(); ++i) {
                const bool theirs = ref[i] > threshold;
                differ += ours[i] != theirs;
                // Another LibTorch build may round a logit on the threshold the other way; nothing else.
                differAway += ours[i] != theirs && std::abs(ref[i] - threshold) > 1e-5f;
                on += ours[i];
            }
            EXPECT_EQ(differAway, 0u);
#if TORCH_VERSION_MAJOR < 2
            EXPECT_EQ(differ, 0u);  // LibTorch 1.13's CPU kernel, reproduced to the bit
#endif
            if (ours.size() > 100) {  // a real mix of on and off pixels was compared
                EXPECT_GT(on, ours.size() / 10);
                EXPECT_LT(on, ours.size() * 9 / 10);
            }
        }
    }
}

TEST(MaskUpsample, ThresholdsOnTorchsOwnValuesSplitThePixelsAlike) {
    // A byte can only show a last-bit difference when a value sits on the
    // threshold, so put the threshold on LibTorch's own values: every pixel
    // equal to it must be off in both, and any rounding difference flips one.
    torch::manual_seed(11);
    for (const auto& [iw, ih, ow, oh] : std::vector<std::array<int, 4>>{{64, 64, 640, 480}, {64, 64, 333, 517}}) {
        SCOPED_TRACE(std::to_string(ow) + "x" + std::to_string(oh));
        const auto low = (torch::randn({ih, iw}) * 3).contiguous();
        const auto up = byTorch(low, ow, oh);
        const float* ref = up.data_ptr<float>();
        const auto n = static_cast<std::size_t>(up.numel());
        for (std::size_t j = 0; j < n; j += n / 97) {
            const float threshold = ref[j];
            const auto ours = upsampleAndThreshold(low.data_ptr<float>(), iw, ih, ow, oh, threshold);
            std::size_t differ = 0;
            for (std::size_t i = 0; i < n; ++i) differ += ours[i] != (ref[i] > threshold);
#if TORCH_VERSION_MAJOR < 2
            EXPECT_EQ(differ, 0u) << "threshold " << threshold;
            EXPECT_EQ(ours[j], 0);
#else
            EXPECT_LT(differ, n / 1000) << "threshold " << threshold;
#endif
        }
    }
}

TEST(MaskUpsample, RowRangesTileTheWholeMask) {
    torch::manual_seed(3);
    const auto low = torch::randn({64, 64}).contiguous();
    const auto whole = upsampleAndThreshold(low.data_ptr<float>(), 64, 64, 300, 200, 0.f);
    std::vector<std::uint8_t> pieces(whole.size(), 7);
    for (int y = 0; y < 200; y += 37)
        upsampleAndThresholdRows(low.data_ptr<float>(), 64, 64, 300, 200, 0.f, y, std::min(200, y + 37), pieces.data());
    EXPECT_EQ(pieces, whole);
    EXPECT_THROW(upsampleAndThresholdRows(low.data_ptr<float>(), 64, 64, 300, 200, 0.f, 190, 201, pieces.data()),
                 std::invalid_argument);
}

TEST(MaskUpsample, RefusesEmptySizes) {
    const float v = 1.f;
    EXPECT_THROW(upsampleAndThreshold(&v, 1, 1, 0, 5, 0.f), std::invalid_argument);
    EXPECT_THROW(upsampleAndThreshold(nullptr, 1, 1, 5, 5, 0.f), std::invalid_argument);
    EXPECT_THROW(upsampleAndThreshold(&v, 0, 1, 5, 5, 0.f), std::invalid_argument);
}
