#include "mask/Mask.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace samtok {

Mask::Mask(int height, int width) : height_(height), width_(width) {
    if (height < 0 || width < 0) throw std::invalid_argument("Mask: negative size");
    pixels_.assign(static_cast<std::size_t>(height) * width, 0);
}

Mask::Mask(int height, int width, std::vector<std::uint8_t> pixels)
    : height_(height), width_(width), pixels_(std::move(pixels)) {
    if (height < 0 || width < 0) throw std::invalid_argument("Mask: negative size");
    if (pixels_.size() != static_cast<std::size_t>(height) * width)
        throw std::invalid_argument("Mask: " + std::to_string(pixels_.size()) + " pixels for a " +
                                    std::to_string(height) + "x" + std::to_string(width) + " mask");
    for (auto& p : pixels_) p = p ? 1 : 0;
}

std::uint64_t Mask::area() const {
    return std::accumulate(pixels_.begin(), pixels_.end(), std::uint64_t{0});
}

PixelBox Mask::boundingBox() const {
    int x0 = width_, y0 = height_, x1 = -1, y1 = -1;
    for (int y = 0; y < height_; ++y) {
        const std::uint8_t* r = row(y);
        int first = 0, last = width_ - 1;
        while (first < width_ && !r[first]) ++first;
        if (first == width_) continue;
        while (!r[last]) --last;
        x0 = std::min(x0, first);
        x1 = std::max(x1, last);
        y0 = std::min(y0, y);
        y1 = y;
    }
    if (x1 < 0) return {};
    return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

}  // namespace samtok
