#include "model/nn/PillowResize.h"

#include <cmath>
#include <stdexcept>

namespace samtok::model {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

double bicubic(double x) {
    constexpr double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

struct Coefficients {
    int ksize = 0;
    std::vector<int> bounds;       // per output: xmin, count
    std::vector<std::int32_t> kk;  // per output: ksize fixed-point weights
};

// precompute_coeffs + normalize_coeffs_8bpc, for the box [0, inSize).
Coefficients precompute(int inSize, int outSize) {
    constexpr double support0 = 2.0;
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterscale = scale < 1.0 ? 1.0 : scale;
    const double support = support0 * filterscale;
    Coefficients c;
    c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.bounds.resize(static_cast<std::size_t>(outSize) * 2);
    c.kk.assign(static_cast<std::size_t>(outSize) * static_cast<std::size_t>(c.ksize), 0);
    std::vector<double> k(static_cast<std::size_t>(c.ksize));
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filterscale;
        int xmin = static_cast<int>(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5);
        if (xmax > inSize) xmax = inSize;
        xmax -= xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; ++x) {
            const double w = bicubic((x + xmin - center + 0.5) * ss);
            k[static_cast<std::size_t>(x)] = w;
            ww += w;
        }
        for (int x = 0; x < c.ksize; ++x) {
            double w = x < xmax ? k[static_cast<std::size_t>(x)] : 0.0;
            if (x < xmax && ww != 0.0) w /= ww;
            c.kk[static_cast<std::size_t>(xx) * c.ksize + x] =
                static_cast<std::int32_t>(w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits));
        }
        c.bounds[static_cast<std::size_t>(xx) * 2] = xmin;
        c.bounds[static_cast<std::size_t>(xx) * 2 + 1] = xmax;
    }
    return c;
}

std::uint8_t clip8(std::int64_t v) {
    if (v >= (static_cast<std::int64_t>(1) << kPrecisionBits << 8)) return 255;
    if (v <= 0) return 0;
    return static_cast<std::uint8_t>(v >> kPrecisionBits);
}

}  // namespace

std::vector<std::uint8_t> pillowResizeBicubic(const std::uint8_t* src, int width, int height, int channels,
                                              std::size_t stride, int outWidth, int outHeight) {
    if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0 || channels < 1 || channels > 4)
        throw std::invalid_argument("pillowResizeBicubic: bad sizes");
    const std::size_t ch = static_cast<std::size_t>(channels);
    const Coefficients horiz = precompute(width, outWidth);
    Coefficients vert = precompute(height, outHeight);
    const bool needH = outWidth != width, needV = outHeight != height;

    // Horizontal pass over only the rows the vertical pass will read.
    const int yFirst = needH && needV ? vert.bounds[0] : 0;
    const int yLast = needH && needV ? vert.bounds[static_cast<std::size_t>(outHeight) * 2 - 2] +
                                           vert.bounds[static_cast<std::size_t>(outHeight) * 2 - 1]
                                     : height;
    std::vector<std::uint8_t> temp;
    const std::uint8_t* in = src;
    std::size_t inStride = stride;
    int inRows = height;
    if (needH) {
        if (needV)
            for (int i = 0; i < outHeight; ++i) vert.bounds[static_cast<std::size_t>(i) * 2] -= yFirst;
        inRows = yLast - yFirst;
        temp.resize(static_cast<std::size_t>(inRows) * outWidth * ch);
        for (int yy = 0; yy < inRows; ++yy) {
            const std::uint8_t* row = src + static_cast<std::size_t>(yy + yFirst) * stride;
            std::uint8_t* out = temp.data() + static_cast<std::size_t>(yy) * outWidth * ch;
            for (int xx = 0; xx < outWidth; ++xx) {
                const int xmin = horiz.bounds[static_cast<std::size_t>(xx) * 2];
                const int xmax = horiz.bounds[static_cast<std::size_t>(xx) * 2 + 1];
                const std::int32_t* k = &horiz.kk[static_cast<std::size_t>(xx) * horiz.ksize];
                for (std::size_t c = 0; c < ch; ++c) {
                    std::int64_t ss = 1 << (kPrecisionBits - 1);
                    for (int x = 0; x < xmax; ++x) ss += static_cast<std::int64_t>(row[(x + xmin) * ch + c]) * k[x];
                    out[static_cast<std::size_t>(xx) * ch + c] = clip8(ss);
                }
            }
        }
        in = temp.data();
        inStride = static_cast<std::size_t>(outWidth) * ch;
    }
    const int w = needH ? outWidth : width;
    if (!needV) {
        std::vector<std::uint8_t> out(static_cast<std::size_t>(inRows) * w * ch);
        for (int y = 0; y < inRows; ++y)
            std::copy(in + static_cast<std::size_t>(y) * inStride, in + static_cast<std::size_t>(y) * inStride + w * ch,
                      out.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(y) * w * ch));
        return out;
    }
    std::vector<std::uint8_t> out(static_cast<std::size_t>(outHeight) * w * ch);
    for (int yy = 0; yy < outHeight; ++yy) {
        const int ymin = vert.bounds[static_cast<std::size_t>(yy) * 2];
        const int ymax = vert.bounds[static_cast<std::size_t>(yy) * 2 + 1];
        const std::int32_t* k = &vert.kk[static_cast<std::size_t>(yy) * vert.ksize];
        std::uint8_t* dst = out.data() + static_cast<std::size_t>(yy) * w * ch;
        for (int xx = 0; xx < w; ++xx)
            for (std::size_t c = 0; c < ch; ++c) {
                std::int64_t ss = 1 << (kPrecisionBits - 1);
                for (int y = 0; y < ymax; ++y)
                    ss += static_cast<std::int64_t>(in[static_cast<std::size_t>(y + ymin) * inStride + xx * ch + c]) *
                          k[y];
                dst[static_cast<std::size_t>(xx) * ch + c] = clip8(ss);
            }
    }
    return out;
}

}  // namespace samtok::model
