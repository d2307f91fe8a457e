#pragma once
// Pillow's Image.resize with its default BICUBIC filter, bit for bit
// (libImaging/Resample.c): a = -0.5, support widened by the scale when
// shrinking (antialiased), 22-bit fixed-point coefficients, horizontal pass
// first, each pass rounded and clipped to uint8. SAMTok's DirectResize is this.
#include <cstdint>
#include <vector>

namespace samtok::model {

// Interleaved 8-bit pixels (channels 1..4), row stride in bytes.
std::vector<std::uint8_t> pillowResizeBicubic(const std::uint8_t* src, int width, int height, int channels,
                                              std::size_t stride, int outWidth, int outHeight);

}  // namespace samtok::model
