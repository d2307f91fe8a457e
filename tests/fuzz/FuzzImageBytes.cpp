// Image files as the project reads them when they are added (their size from the header) and decoded.
#include "FuzzSupport.h"
#include "io/ImageIO.h"
#include "util/Error.h"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<unsigned char> bytes(data, data + size);
    try {
        (void)samtok::imageSizeFromBytes(bytes, "fuzz.png");
    } catch (const samtok::UserError&) {
    }
    if (size > 64 * 1024) return 0;  // decoding is OpenCV's; keep the inputs small
    try {
        (void)samtok::readImage(samtok::fuzz::asFile(data, size, ".png"));
    } catch (const samtok::UserError&) {
    }
    return 0;
}
