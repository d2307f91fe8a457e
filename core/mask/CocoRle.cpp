#include "mask/CocoRle.h"

#include "util/Error.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cstring>

namespace samtok::rle {
namespace {

std::string sizeText(int h, int w) {
    return std::to_string(h) + "x" + std::to_string(w);
}

// Length of the run of bytes equal to `value` starting at p, up to end.
// Word-at-a-time: runs in real masks are long, so this dominates encode time.
std::size_t runLength(const std::uint8_t* p, const std::uint8_t* end, std::uint8_t value) {
    const std::uint8_t* start = p;
    const std::uint64_t pattern = value ? 0x0101010101010101ULL : 0ULL;
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        if (word != pattern) break;
        p += 8;
    }
    while (p < end && *p == value) ++p;
    return static_cast<std::size_t>(p - start);
}

}  // namespace

Rle encode(const Mask& mask) {
    Rle out{mask.height(), mask.width(), {}};
    const std::size_t n = mask.size();
    if (n == 0) {
        out.counts.push_back(0);
        return out;
    }
    // Column-major order = the transposed image in row-major order.
    cv::Mat rowMajor(mask.height(), mask.width(), CV_8UC1, const_cast<std::uint8_t*>(mask.data()));
    cv::Mat colMajor;
    cv::transpose(rowMajor, colMajor);
    const std::uint8_t* p = colMajor.data;
    const std::uint8_t* end = p + n;
    std::uint8_t value = 0;
    while (p < end) {
        const std::size_t len = runLength(p, end, value);
        out.counts.push_back(static_cast<std::uint32_t>(len));
        p += len;
        value ^= 1;
    }
    return out;
}

void validate(const Rle& rle) {
    if (rle.height < 0 || rle.width < 0) throw FormatError("RLE: negative size " + sizeText(rle.height, rle.width));
    std::uint64_t total = 0;
    for (std::uint32_t c : rle.counts) total += c;
    const std::uint64_t expected = static_cast<std::uint64_t>(rle.height) * rle.width;
    if (total != expected)
        throw FormatError("RLE: runs cover " + std::to_string(total) + " pixels, but a " +
                          sizeText(rle.height, rle.width) + " mask has " + std::to_string(expected));
}

Mask decode(const Rle& rle) {
    validate(rle);
    const int h = rle.height, w = rle.width;
    cv::Mat colMajor(w, h, CV_8UC1);
    std::uint8_t* p = colMajor.data;
    std::uint8_t value = 0;
    for (std::uint32_t c : rle.counts) {
        std::memset(p, value, c);
        p += c;
        value ^= 1;
    }
    Mask mask(h, w);
    if (mask.size() == 0) return mask;
    cv::Mat rowMajor(h, w, CV_8UC1, mask.data());
    cv::transpose(colMajor, rowMajor);
    return mask;
}

std::string toString(const Rle& rle) {
    std::string s;
    s.reserve(rle.counts.size() * 2);
    for (std::size_t i = 0; i < rle.counts.size(); ++i) {
        long long x = rle.counts[i];
        if (i > 2) x -= static_cast<long long>(rle.counts[i - 2]);
        bool more = true;
        while (more) {
            char c = static_cast<char>(x & 0x1f);
            x >>= 5;  // arithmetic shift, as in maskApi.c
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more) c |= 0x20;
            s.push_back(static_cast<char>(c + 48));
        }
    }
    return s;
}

Rle fromString(std::string_view s, int height, int width) {
    if (height < 0 || width < 0) throw FormatError("RLE: negative size " + sizeText(height, width));
    Rle out{height, width, {}};
    std::size_t p = 0;
    while (p < s.size()) {
        const std::size_t groupStart = p;
        long long x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= s.size())
                throw FormatError("RLE counts string ends inside the run that starts at character " +
                                  std::to_string(groupStart));
            const int c = static_cast<unsigned char>(s[p]) - 48;
            if (c < 0 || c > 63)
                throw FormatError("RLE counts string has an invalid character '" + std::string(1, s[p]) +
                                  "' at position " + std::to_string(p));
            if (k > 6)
                throw FormatError("RLE counts string has an overlong run at character " + std::to_string(groupStart));
            x |= static_cast<long long>(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            // Sign extension as maskApi.c's `x |= -1 << 5 * k`, without shifting a negative value (undefined).
            if (!more && (c & 0x10)) x |= static_cast<long long>(~0ULL << (5 * k));
        }
        const std::size_t m = out.counts.size();
        if (m > 2) x += static_cast<long long>(out.counts[m - 2]);
        if (x < 0 || x > 0xffffffffLL)
            throw FormatError("RLE counts string decodes to an invalid run (" + std::to_string(x) + ") at character " +
                              std::to_string(groupStart));
        out.counts.push_back(static_cast<std::uint32_t>(x));
    }
    validate(out);
    return out;
}

std::uint64_t area(const Rle& rle) {
    std::uint64_t a = 0;
    for (std::size_t i = 1; i < rle.counts.size(); i += 2) a += rle.counts[i];
    return a;
}

PixelBox toBbox(const Rle& rle) {
    const std::size_t m = (rle.counts.size() / 2) * 2;
    if (m == 0 || rle.height == 0) return {};
    const std::uint64_t h = static_cast<std::uint64_t>(rle.height);
    std::uint64_t xs = static_cast<std::uint64_t>(rle.width), ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
    for (std::size_t j = 0; j < m; ++j) {
        cc += rle.counts[j];
        const std::uint64_t t = cc - j % 2;
        const std::uint64_t y = t % h;
        const std::uint64_t x = (t - y) / h;
        if (j % 2 == 0) {
            xp = x;
        } else if (xp < x) {  // the run wraps a column: it spans the full height
            ys = 0;
            ye = h - 1;
        }
        xs = std::min(xs, x);
        xe = std::max(xe, x);
        ys = std::min(ys, y);
        ye = std::max(ye, y);
    }
    return {static_cast<int>(xs), static_cast<int>(ys), static_cast<int>(xe - xs + 1), static_cast<int>(ye - ys + 1)};
}

namespace {

// Walks two run lists in step, calling f(length, a_on, b_on) for each piece
// where neither changes. Both must cover the same number of pixels.
template <typename F>
void walkPair(const Rle& a, const Rle& b, F&& f) {
    std::size_t ia = 0, ib = 0;
    std::uint64_t ra = a.counts.empty() ? 0 : a.counts[0];
    std::uint64_t rb = b.counts.empty() ? 0 : b.counts[0];
    bool va = false, vb = false;
    for (;;) {
        while (ra == 0 && ia + 1 < a.counts.size()) {
            ra = a.counts[++ia];
            va = !va;
        }
        while (rb == 0 && ib + 1 < b.counts.size()) {
            rb = b.counts[++ib];
            vb = !vb;
        }
        if (ra == 0 || rb == 0) break;
        const std::uint64_t c = std::min(ra, rb);
        f(c, va, vb);
        ra -= c;
        rb -= c;
    }
}

void requireSameSize(const Rle& a, const Rle& b, const char* what) {
    if (a.height != b.height || a.width != b.width)
        throw UserError(std::string("RLE ") + what + ": masks differ in size (" + sizeText(a.height, a.width) +
                        " and " + sizeText(b.height, b.width) + ")");
}

}  // namespace

Rle merge(const std::vector<Rle>& rles, bool intersect) {
    if (rles.empty()) return Rle{0, 0, {0}};
    Rle acc = rles[0];
    for (std::size_t i = 1; i < rles.size(); ++i) {
        requireSameSize(acc, rles[i], "merge");
        Rle next{acc.height, acc.width, {}};
        bool current = false;
        std::uint64_t run = 0;
        walkPair(acc, rles[i], [&](std::uint64_t len, bool va, bool vb) {
            const bool v = intersect ? (va && vb) : (va || vb);
            if (v != current) {
                next.counts.push_back(static_cast<std::uint32_t>(run));
                run = 0;
                current = v;
            }
            run += len;
        });
        next.counts.push_back(static_cast<std::uint32_t>(run));
        acc = std::move(next);
    }
    return acc;
}

double iou(const Rle& dt, const Rle& gt, bool iscrowd) {
    requireSameSize(dt, gt, "IoU");
    std::uint64_t inter = 0, uni = 0;
    walkPair(dt, gt, [&](std::uint64_t len, bool va, bool vb) {
        if (va || vb) uni += len;
        if (va && vb) inter += len;
    });
    if (inter == 0) return 0.0;
    if (iscrowd) uni = area(dt);
    return static_cast<double>(inter) / static_cast<double>(uni);
}

}  // namespace samtok::rle
