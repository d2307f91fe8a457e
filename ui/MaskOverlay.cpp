#include "MaskOverlay.h"

#include "mask/MaskMetrics.h"

#include <QPixmap>

namespace samtok::ui {

QImage renderOverlay(const std::vector<OverlayMask>& masks, int width, int height) {
    QImage out(width, height, QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    for (const OverlayMask& m : masks) {
        if (m.mask.height != height || m.mask.width != width) continue;  // stale size: never draw misaligned
        const Mask mask = rle::decode(m.mask);
        const Mask edge = innerBoundary(mask, m.selected ? 3 : 1);
        const QRgb fill = qPremultiply(qRgba(m.color.red(), m.color.green(), m.color.blue(), m.selected ? 160 : 110));
        const QRgb line =
            m.selected ? qRgba(255, 255, 255, 255) : qRgba(m.color.red(), m.color.green(), m.color.blue(), 255);
        for (int y = 0; y < height; ++y) {
            auto* px = reinterpret_cast<QRgb*>(out.scanLine(y));
            const std::uint8_t* in = mask.row(y);
            const std::uint8_t* e = edge.row(y);
            for (int x = 0; x < width; ++x) {
                if (e[x])
                    px[x] = line;
                else if (in[x])
                    px[x] = fill;
            }
        }
    }
    return out;
}

namespace {

// One mask's fill and inner outline; edge(x, y) gives the outline colour (patterns need the position).
template <typename EdgeColour>
QImage paintMask(const Mask& mask, int edgeWidth, QRgb fill, EdgeColour edge) {
    QImage out(mask.width(), mask.height(), QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    const Mask boundary = innerBoundary(mask, edgeWidth);
    for (int y = 0; y < mask.height(); ++y) {
        auto* px = reinterpret_cast<QRgb*>(out.scanLine(y));
        const std::uint8_t* in = mask.row(y);
        const std::uint8_t* e = boundary.row(y);
        for (int x = 0; x < mask.width(); ++x) {
            if (e[x])
                px[x] = edge(x, y);
            else if (in[x])
                px[x] = fill;
        }
    }
    return out;
}

}  // namespace

QImage renderCandidate(const Mask& mask) {
    // Marching ants: readable on any image.
    return paintMask(mask, 2, qPremultiply(qRgba(0x00, 0xe5, 0xff, 120)),
                     [](int x, int y) { return ((x + y) / 4) % 2 ? qRgba(255, 255, 255, 255) : qRgba(0, 0, 0, 255); });
}

QImage renderComparison(const Mask& drawn, const Mask& rebuilt, int mode) {
    QImage out(drawn.width(), drawn.height(), QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    if (rebuilt.width() != drawn.width() || rebuilt.height() != drawn.height()) return out;
    const QRgb both = qPremultiply(qRgba(0x4c, 0xd9, 0x64, 150)),
               onlyDrawn = qPremultiply(qRgba(0xff, 0x98, 0x00, 190)),
               onlyRebuilt = qPremultiply(qRgba(0xe0, 0x40, 0xfb, 190));
    for (int y = 0; y < drawn.height(); ++y) {
        auto* px = reinterpret_cast<QRgb*>(out.scanLine(y));
        const std::uint8_t* a = drawn.row(y);
        const std::uint8_t* b = rebuilt.row(y);
        for (int x = 0; x < drawn.width(); ++x) {
            const bool d = a[x], r = b[x];
            if (mode == 0 && d)
                px[x] = onlyDrawn;
            else if (mode == 1 && r)
                px[x] = onlyRebuilt;
            else if (mode == 2 && d && r)
                px[x] = both;
            else if ((mode == 2 || mode == 3) && d != r)
                px[x] = d ? onlyDrawn : onlyRebuilt;
        }
    }
    return out;
}

QImage renderHover(const Mask& mask) {
    return paintMask(mask, 2, qPremultiply(qRgba(255, 255, 255, 50)),
                     [](int, int) { return qRgba(255, 255, 255, 255); });
}

QIcon colourSwatch(const QColor& color) {
    QPixmap pm(12, 12);
    pm.fill(color);
    return QIcon(pm);
}

}  // namespace samtok::ui
