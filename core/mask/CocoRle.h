#pragma once
// COCO run-length encoding, bit-exact with pycocotools' C core (maskApi.c).
//
// Runs are taken in column-major order (down each column, left to right) and
// alternate background / foreground, starting with background (so the first
// run may be 0). The compressed string form stores each run as 5-bit groups
// with a continuation bit, offset by '0' (48); from the fourth run on it
// stores the difference to the run two places earlier.
#include "mask/Mask.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samtok {

struct Rle {
    int height = 0;
    int width = 0;
    std::vector<std::uint32_t> counts;

    bool operator==(const Rle& o) const { return height == o.height && width == o.width && counts == o.counts; }
};

namespace rle {

Rle encode(const Mask& mask);          // rleEncode
Mask decode(const Rle& rle);           // rleDecode; throws FormatError if runs do not cover h*w
std::string toString(const Rle& rle);  // rleToString
// rleFrString, with validation: throws FormatError naming the position of a
// bad character, a truncated group, a negative run or runs that do not sum to h*w.
Rle fromString(std::string_view counts, int height, int width);
std::uint64_t area(const Rle& rle);  // rleArea
PixelBox toBbox(const Rle& rle);     // rleToBbox, [x, y, w, h]
// rleMerge: union (intersect=false) or intersection of masks of one size.
Rle merge(const std::vector<Rle>& rles, bool intersect);
// rleIou without decoding. iscrowd: the union is the area of `dt` (COCO's crowd rule).
// Like pycocotools, two masks with no overlap (or two empty masks) give 0.
double iou(const Rle& dt, const Rle& gt, bool iscrowd = false);
// Throws FormatError unless the runs are a valid encoding of a height x width mask.
void validate(const Rle& rle);

}  // namespace rle
}  // namespace samtok
