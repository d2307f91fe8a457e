// Mask and label-map PNGs (palette, grey, 16-bit) as the mask-folder, VOC and `mask` commands read them, and the
// label map split into regions as `samtok import masks --instances --connected-parts` does.
#include "FuzzSupport.h"
#include "dataset/MaskFolder.h"
#include "io/ImageIO.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;  // decoding is libpng's; keep the inputs small
    const std::string path = samtok::fuzz::asFile(data, size, ".png");
    try {
        (void)samtok::readMask(path);
    } catch (const samtok::UserError&) {
    }
    try {
        const cv::Mat labels = samtok::readLabelMap(path);
        if (labels.total() <= 512 * 512) {
            samtok::dataset::LabelMapRules rules;
            rules.instances = true;
            rules.connectedParts = true;
            rules.minPartArea = 2;
            (void)samtok::dataset::splitLabelMap(labels, rules);
        }
    } catch (const samtok::UserError&) {
    }
    return 0;
}
