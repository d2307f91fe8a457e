#include "train/TrainingLoss.h"

#include <stdexcept>

namespace samtok::model {
namespace F = torch::nn::functional;

torch::Tensor maskLoss(const torch::Tensor& logits, const torch::Tensor& target, const MaskLossWeights& w) {
    auto t = target.expand_as(logits);
    auto bcePixels = F::binary_cross_entropy_with_logits(
        logits, t, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
    auto p = logits.sigmoid();
    auto loss = w.bce * bcePixels.mean({2, 3});
    if (w.focal > 0) {
        // As SAM: alpha 0.25 on the foreground, (1 - p_t)^2 on every pixel.
        auto pt = p * t + (1 - p) * (1 - t);
        auto alpha = 0.25 * t + 0.75 * (1 - t);
        loss = loss + w.focal * (alpha * (1 - pt).pow(2) * bcePixels).mean({2, 3});
    }
    auto dice = 1 - (2 * (p * t).sum({2, 3}) + 1) / (p.sum({2, 3}) + t.sum({2, 3}) + 1);
    return loss + w.dice * dice;
}

torch::Tensor binaryIou(const torch::Tensor& logits, const torch::Tensor& target, double threshold) {
    auto p = logits > threshold;
    auto t = (target > 0.5).expand_as(p);
    auto inter = p.logical_and(t).sum({2, 3}).to(torch::kFloat32);
    auto uni = p.logical_or(t).sum({2, 3}).to(torch::kFloat32);
    return inter / uni.clamp_min(1);
}

torch::Tensor roundTripLoss(const torch::Tensor& perCandidate, const torch::Tensor& returned,
                            RoundTripCandidates which) {
    switch (which) {
        case RoundTripCandidates::Best:
            return std::get<0>(perCandidate.min(1));
        case RoundTripCandidates::All:
            // With the best alone, the candidates the head may still pick are free
            // to be specks; the mean leaves none of them untrained.
            return perCandidate.mean(1);
        case RoundTripCandidates::BestAndReturned:
            // Picking a poor candidate costs, while the other two stay free to
            // differ from the best (the mean pulls all three onto one mask).
            return std::get<0>(perCandidate.min(1)) + perCandidate.gather(1, returned.view({-1, 1})).squeeze(1);
    }
    throw std::invalid_argument("roundTripLoss: unknown candidate choice");
}

}  // namespace samtok::model
