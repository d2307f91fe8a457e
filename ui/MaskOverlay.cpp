#include "MaskOverlay.h"

#include "mask/MaskMetrics.h"

namespace samtok::ui {

QImage renderOverlay(const std::vector<OverlayMask>& masks, int width, int height) {
    QImage out(width, height, QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    for (const OverlayMask& m : masks) {
        if (m.mask.height != height || m.mask.width != width) continue;  // stale size: never draw misaligned
        const Mask mask = rle::decode(m.mask);
        const Mask edge = innerBoundary(mask, m.selected ? 3 : 1);
        const QRgb fill = qPremultiply(qRgba(m.color.red(), m.color.green(), m.color.blue(), m.selected ? 160 : 110));
        const QRgb line = m.selected ? qRgba(255, 255, 255, 255) : qRgba(m.color.red(), m.color.green(), m.color.blue(), 255);
        for (int y = 0; y < height; ++y) {
            auto* px = reinterpret_cast<QRgb*>(out.scanLine(y));
            const std::uint8_t* in = mask.row(y);
            const std::uint8_t* e = edge.row(y);
            for (int x = 0; x < width; ++x) {
                if (e[x]) px[x] = line;
                else if (in[x]) px[x] = fill;
            }
        }
    }
    return out;
}

QImage renderCandidate(const Mask& mask) {
    QImage out(mask.width(), mask.height(), QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    const Mask edge = innerBoundary(mask, 2);
    const QRgb fill = qPremultiply(qRgba(0x00, 0xe5, 0xff, 120));
    for (int y = 0; y < mask.height(); ++y) {
        auto* px = reinterpret_cast<QRgb*>(out.scanLine(y));
        const std::uint8_t* in = mask.row(y);
        const std::uint8_t* e = edge.row(y);
        for (int x = 0; x < mask.width(); ++x) {
            if (e[x]) px[x] = ((x + y) / 4) % 2 ? qRgba(255, 255, 255, 255) : qRgba(0, 0, 0, 255);
            else if (in[x]) px[x] = fill;
        }
    }
    return out;
}

QImage renderHover(const Mask& mask) {
    QImage out(mask.width(), mask.height(), QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    const Mask edge = innerBoundary(mask, 2);
    const QRgb fill = qPremultiply(qRgba(255, 255, 255, 50));
    for (int y = 0; y < mask.height(); ++y) {
        auto* px = reinterpret_cast<QRgb*>(out.scanLine(y));
        const std::uint8_t* in = mask.row(y);
        const std::uint8_t* e = edge.row(y);
        for (int x = 0; x < mask.width(); ++x) {
            if (e[x]) px[x] = qRgba(255, 255, 255, 255);
            else if (in[x]) px[x] = fill;
        }
    }
    return out;
}

}  // namespace samtok::ui
