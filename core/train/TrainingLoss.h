#pragma once
// The trainer's losses on low-resolution mask logits. Model code: LibTorch
// types, never included by UI code.
#include "train/Trainer.h"

#include <torch/torch.h>

namespace samtok::model {

struct MaskLossWeights {
    double bce, focal, dice;
};

// BCE, focal and Dice per (mask, candidate) against soft targets: logits
// (N, M, h, w), target (N, 1, h, w) -> (N, M).
torch::Tensor maskLoss(const torch::Tensor& logits, const torch::Tensor& target, const MaskLossWeights& w);

// IoU per (mask, candidate) of logits above `threshold` with target > 0.5: (N, M).
torch::Tensor binaryIou(const torch::Tensor& logits, const torch::Tensor& target, double threshold);

// The round trip's loss per mask: perCandidate (N, M) from maskLoss, returned
// (N,) the index the IoU head ranks first -> (N,).
torch::Tensor roundTripLoss(const torch::Tensor& perCandidate, const torch::Tensor& returned,
                            RoundTripCandidates which);

}  // namespace samtok::model
