#pragma once
// The pixel operations behind the brush, eraser and polygon tools.
#include "mask/Mask.h"
#include "mask/Polygon.h"

#include <vector>

namespace samtok {

// Sets (value = true) or clears the pixels a round brush of this radius covers along the path.
void paintStroke(Mask& mask, const std::vector<Point>& path, double radius, bool value);
// Sets or clears the pixels inside the polygon (its boundary pixels included).
void paintPolygon(Mask& mask, const Ring& polygon, bool value);
// Background regions not connected to the image border become foreground.
Mask fillHoles(const Mask& mask);
// The largest 8-connected foreground part.
Mask largestPart(const Mask& mask);

}  // namespace samtok
