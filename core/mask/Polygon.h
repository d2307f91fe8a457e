#pragma once
// Polygons <-> masks. A region is one outer ring plus the rings of its holes;
// vertices are pixel centres (x right, y down), as OpenCV's contours give them.
#include "mask/Mask.h"

#include <vector>

namespace samtok {

struct Point {
    double x = 0, y = 0;
};
using Ring = std::vector<Point>;

struct PolygonRegion {
    Ring outer;
    std::vector<Ring> holes;
};

// Fills each outer ring and clears its holes. Hole rings are traced on the
// foreground pixels around the hole (as maskToPolygons returns them), so the
// ring's own pixels stay foreground.
Mask polygonsToMask(const std::vector<PolygonRegion>& regions, int height, int width);

// One region per connected component (8-connectivity), holes included.
// epsilon > 0 simplifies each ring (Douglas-Peucker, in pixels); 0 keeps every
// boundary pixel so that polygonsToMask gives the mask back exactly.
std::vector<PolygonRegion> maskToPolygons(const Mask& mask, double epsilon = 0.0);

// Plain rings without hole structure (COCO / LabelMe style, all filled).
Mask ringsToMask(const std::vector<Ring>& rings, int height, int width);

}  // namespace samtok
