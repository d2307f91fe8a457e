// COCO RLE strings (pycocotools' compressed counts), at a size taken from the first two bytes.
#include "mask/CocoRle.h"
#include "util/Error.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const int h = data[0] % 64, w = data[1] % 64;
    const std::string_view counts(reinterpret_cast<const char*>(data + 2), size - 2);
    try {
        const samtok::Rle r = samtok::rle::fromString(counts, h, w);
        const samtok::Mask m = samtok::rle::decode(r);
        (void)samtok::rle::toString(samtok::rle::encode(m));
    } catch (const samtok::UserError&) {
    }
    return 0;
}
