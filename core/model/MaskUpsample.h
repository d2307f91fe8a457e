#pragma once
// Low-resolution mask logits -> a 0/1 mask at the image's size, in one pass.
// The arithmetic of LibTorch 1.13's CPU bilinear upsampling (align_corners=false,
// no antialias, float32: weights from a float scale and a double source
// position, each pixel the double sum of four float-weighted taps) followed by
// `> threshold`, but it writes bytes directly: no float image of the full size,
// no threshold and conversion passes. Decode and every click candidate make
// one, so it is on the interactive path. Other LibTorch builds may round a logit
// that sits on the threshold the other way; no other pixel differs.
#include <cstdint>
#include <vector>

namespace samtok::model {

// logits: inHeight x inWidth floats, row-major. Returns outHeight x outWidth
// bytes, 1 where the upsampled logit is above threshold.
std::vector<std::uint8_t> upsampleAndThreshold(const float* logits, int inWidth, int inHeight, int outWidth,
                                               int outHeight, float threshold);

// The same for output rows [rowBegin, rowEnd) only, into out (outHeight x
// outWidth bytes): disjoint row ranges can run on several threads.
void upsampleAndThresholdRows(const float* logits, int inWidth, int inHeight, int outWidth, int outHeight,
                              float threshold, int rowBegin, int rowEnd, std::uint8_t* out);

}  // namespace samtok::model
