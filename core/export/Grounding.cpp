#include "export/Grounding.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace samtok::exporter {

const char* toString(ModelFamily f) {
    switch (f) {
        case ModelFamily::Qwen3VL:
            return "qwen3-vl";
        case ModelFamily::Qwen25VL:
            return "qwen2.5-vl";
        case ModelFamily::Qwen2VL:
            return "qwen2-vl";
        case ModelFamily::InternVL:
            return "internvl";
    }
    return "?";
}

ModelFamily familyFromString(const std::string& s) {
    for (ModelFamily f : {ModelFamily::Qwen3VL, ModelFamily::Qwen25VL, ModelFamily::Qwen2VL, ModelFamily::InternVL})
        if (s == toString(f)) return f;
    throw UserError("unknown model family '" + s + "' (choose qwen3-vl, qwen2.5-vl, qwen2-vl, internvl)");
}

Size2 smartResize(int width, int height, int minPixels, int maxPixels) {
    constexpr double factor = 28;
    const double w = std::max(1, width), h = std::max(1, height);
    // round() in Python 3 rounds half to even, as nearbyint does in the default rounding mode.
    double hb = std::max(factor, std::nearbyint(h / factor) * factor);
    double wb = std::max(factor, std::nearbyint(w / factor) * factor);
    if (hb * wb > maxPixels) {
        const double beta = std::sqrt(h * w / maxPixels);
        hb = std::max(factor, std::floor(h / beta / factor) * factor);
        wb = std::max(factor, std::floor(w / beta / factor) * factor);
    } else if (hb * wb < minPixels) {
        const double beta = std::sqrt(minPixels / (h * w));
        hb = std::ceil(h * beta / factor) * factor;
        wb = std::ceil(w * beta / factor) * factor;
    }
    return {static_cast<int>(wb), static_cast<int>(hb)};
}

std::array<int, 4> familyBox(ModelFamily f, const PixelBox& b, int width, int height, int minPixels, int maxPixels) {
    const double w = std::max(1, width), h = std::max(1, height);
    double sx = 1000 / w, sy = 1000 / h, maxX = 1000, maxY = 1000;
    if (f == ModelFamily::Qwen25VL) {
        const Size2 r = smartResize(width, height, minPixels, maxPixels);
        sx = r.width / w, sy = r.height / h, maxX = r.width, maxY = r.height;
    }
    auto at = [](double v, double scale, double max) {
        return static_cast<int>(std::lround(std::clamp(v * scale, 0.0, max)));
    };
    return {at(b.x, sx, maxX), at(b.y, sy, maxY), at(b.x + b.width, sx, maxX), at(b.y + b.height, sy, maxY)};
}

std::string markPhrase(ModelFamily f, const std::string& phrase) {
    if (f == ModelFamily::InternVL) return "<ref>" + phrase + "</ref>";
    return "<|object_ref_start|>" + phrase + "<|object_ref_end|> ";
}

}  // namespace samtok::exporter
