#pragma once
// Low-resolution mask logits -> a 0/1 mask at the image's size, in one pass.
// The same arithmetic as LibTorch's CPU bilinear upsampling (align_corners=false,
// no antialias, float32) followed by `> threshold`, but it writes bytes
// directly: no float image of the full size, no threshold and conversion passes.
// The click tool runs it on every candidate of every click, so it is on the
// interactive path.
#include <cstdint>
#include <vector>

namespace samtok::model {

// logits: inHeight x inWidth floats, row-major. Returns outHeight x outWidth
// bytes, 1 where the upsampled logit is above threshold.
std::vector<std::uint8_t> upsampleAndThreshold(const float* logits, int inWidth, int inHeight, int outWidth,
                                               int outHeight, float threshold);

}  // namespace samtok::model
