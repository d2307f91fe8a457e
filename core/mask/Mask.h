#pragma once
// A binary region mask: height x width bytes, row-major, each 0 or 1.
// Moves are cheap (one vector); copies are explicit deep copies.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace samtok {

// Integer pixel box: x, y of the top-left pixel, width and height in pixels.
struct PixelBox {
    int x = 0, y = 0, width = 0, height = 0;
    bool empty() const { return width <= 0 || height <= 0; }
    bool operator==(const PixelBox& o) const { return x == o.x && y == o.y && width == o.width && height == o.height; }
};

class Mask {
public:
    Mask() = default;
    Mask(int height, int width);                                    // all background
    Mask(int height, int width, std::vector<std::uint8_t> pixels);  // values must be 0/1

    int height() const { return height_; }
    int width() const { return width_; }
    std::size_t size() const { return pixels_.size(); }
    bool isNull() const { return pixels_.empty(); }

    std::uint8_t* data() { return pixels_.data(); }
    const std::uint8_t* data() const { return pixels_.data(); }
    std::uint8_t* row(int y) { return pixels_.data() + static_cast<std::size_t>(y) * width_; }
    const std::uint8_t* row(int y) const { return pixels_.data() + static_cast<std::size_t>(y) * width_; }
    std::uint8_t at(int y, int x) const { return row(y)[x]; }
    void set(int y, int x, bool on) { row(y)[x] = on ? 1 : 0; }

    std::uint64_t area() const;    // foreground pixel count
    PixelBox boundingBox() const;  // tight box of the foreground; empty box if none

    bool operator==(const Mask& o) const { return height_ == o.height_ && width_ == o.width_ && pixels_ == o.pixels_; }
    bool operator!=(const Mask& o) const { return !(*this == o); }

private:
    int height_ = 0;
    int width_ = 0;
    std::vector<std::uint8_t> pixels_;
};

}  // namespace samtok
