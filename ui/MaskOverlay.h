#pragma once
// Renders annotation masks into one translucent layer for the canvas.
#include "mask/CocoRle.h"

#include <QColor>
#include <QIcon>
#include <QImage>

#include <vector>

namespace samtok::ui {

struct OverlayMask {
    Rle mask;
    QColor color;
    bool selected = false;  // drawn stronger, with a white outline
};

// ARGB32 premultiplied image of width x height: each mask filled in its colour,
// with an opaque one-pixel outline so touching regions stay distinguishable.
QImage renderOverlay(const std::vector<OverlayMask>& masks, int width, int height);

// The click tool's candidate: a bright fill and a dashed-looking outline, unlike any class colour.
QImage renderCandidate(const Mask& mask);
// Drawn against rebuilt: green where both agree, orange where only the drawn mask is,
// magenta where only the rebuilt one is. mode: 0 drawn, 1 rebuilt, 2 both, 3 difference only.
QImage renderComparison(const Mask& drawn, const Mask& rebuilt, int mode);

// A class colour as a small square, for lists and combo boxes.
QIcon colourSwatch(const QColor& color);

// The region under the cursor: a light veil and a white outline.
QImage renderHover(const Mask& mask);

}  // namespace samtok::ui
