#pragma once
// How each model family writes a phrase and a box in text, for the tasks that
// ground phrases (GCG) and answer boxes (refdet):
//   Qwen2-VL, Qwen3-VL: phrases in <|object_ref_start|>...<|object_ref_end|>,
//     boxes as {"bbox_2d": [x1, y1, x2, y2]} in 0..1000 of the image;
//   Qwen2.5-VL: the same markup, boxes in pixels of the image as its processor
//     resizes it (smart_resize: sides multiples of 28, area within
//     [min_pixels, max_pixels]), per qwen-vl-finetune's tools/process_bbox;
//   InternVL: <ref>phrase</ref><box>[[x1, y1, x2, y2]]</box> in 0..1000.
#include "mask/Mask.h"

#include <array>
#include <string>

namespace samtok::exporter {

enum class ModelFamily { Qwen3VL, Qwen25VL, Qwen2VL, InternVL };
const char* toString(ModelFamily f);
ModelFamily familyFromString(const std::string& s);  // throws UserError naming the choices

// The Qwen2.5-VL processor's defaults (preprocessor_config.json).
constexpr int kQwenMinPixels = 56 * 56;
constexpr int kQwenMaxPixels = 28 * 28 * 16384;

struct Size2 {
    int width = 0, height = 0;
};
// Qwen2-VL / Qwen2.5-VL's smart_resize (Python's round half to even included).
Size2 smartResize(int width, int height, int minPixels = kQwenMinPixels, int maxPixels = kQwenMaxPixels);

// The box [x, x + width) x [y, y + height) of a width x height image in the family's coordinates.
std::array<int, 4> familyBox(ModelFamily f, const PixelBox& box, int width, int height, int minPixels = kQwenMinPixels,
                             int maxPixels = kQwenMaxPixels);

// A grounded phrase as the family marks it, followed directly by its mask tokens.
std::string markPhrase(ModelFamily f, const std::string& phrase);

}  // namespace samtok::exporter
