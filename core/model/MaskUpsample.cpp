#include "model/MaskUpsample.h"

#include <algorithm>
#include <stdexcept>

namespace samtok::model {
namespace {

// One output coordinate's two source indices and weights, as LibTorch 1.13's
// CPU kernel computes them: the scale in float, the source position in double,
// the weights rounded to float.
struct Tap {
    int i0 = 0, i1 = 0;
    float w0 = 1, w1 = 0;
};

std::vector<Tap> taps(int inSize, int outSize) {
    std::vector<Tap> t(static_cast<std::size_t>(outSize));
    if (inSize == outSize) {
        for (int o = 0; o < outSize; ++o) t[static_cast<std::size_t>(o)] = {o, o, 1.f, 0.f};
        return t;
    }
    const float scale = static_cast<float>(inSize) / static_cast<float>(outSize);
    for (int o = 0; o < outSize; ++o) {
        const double real = std::max(0.0, static_cast<double>(scale) * (o + 0.5) - 0.5);
        const int i0 = static_cast<int>(real);
        const float w1 = std::min(std::max(static_cast<float>(real - i0), 0.f), 1.f);
        t[static_cast<std::size_t>(o)] = {i0, i0 + (i0 < inSize - 1 ? 1 : 0), 1.f - w1, w1};
    }
    return t;
}

}  // namespace

void upsampleAndThresholdRows(const float* logits, int inWidth, int inHeight, int outWidth, int outHeight,
                              float threshold, int rowBegin, int rowEnd, std::uint8_t* out) {
    if (!logits || !out || inWidth <= 0 || inHeight <= 0 || outWidth <= 0 || outHeight <= 0)
        throw std::invalid_argument("upsampleAndThreshold: empty input or output");
    if (rowBegin < 0 || rowEnd > outHeight || rowBegin > rowEnd)
        throw std::invalid_argument("upsampleAndThreshold: rows out of range");
    const auto across = taps(inWidth, outWidth), down = taps(inHeight, outHeight);
    const auto ow = static_cast<std::size_t>(outWidth), iw = static_cast<std::size_t>(inWidth);
    // In LibTorch's order and precision (see the header), so that masks match
    // the torch path to the pixel. The products are exact in double, so a
    // compiler fusing them into FMAs changes nothing.
    for (int y = rowBegin; y < rowEnd; ++y) {
        const Tap& d = down[static_cast<std::size_t>(y)];
        const float* r0 = logits + static_cast<std::size_t>(d.i0) * iw;
        const float* r1 = logits + static_cast<std::size_t>(d.i1) * iw;
        std::uint8_t* dst = out + static_cast<std::size_t>(y) * ow;
        for (std::size_t x = 0; x < ow; ++x) {
            const Tap& a = across[x];
            const double v =
                static_cast<double>(r0[a.i0]) * (d.w0 * a.w0) + static_cast<double>(r0[a.i1]) * (d.w0 * a.w1) +
                static_cast<double>(r1[a.i0]) * (d.w1 * a.w0) + static_cast<double>(r1[a.i1]) * (d.w1 * a.w1);
            dst[x] = static_cast<float>(v) > threshold ? 1 : 0;
        }
    }
}

std::vector<std::uint8_t> upsampleAndThreshold(const float* logits, int inWidth, int inHeight, int outWidth,
                                               int outHeight, float threshold) {
    if (outWidth <= 0 || outHeight <= 0) throw std::invalid_argument("upsampleAndThreshold: empty input or output");
    std::vector<std::uint8_t> out(static_cast<std::size_t>(outHeight) * static_cast<std::size_t>(outWidth));
    upsampleAndThresholdRows(logits, inWidth, inHeight, outWidth, outHeight, threshold, 0, outHeight, out.data());
    return out;
}

}  // namespace samtok::model
