#pragma once
// Masks whose pixels a test can count by hand.
#include "mask/Mask.h"

namespace samtok::test {

// An h x w mask set on [x0, x1) x [y0, y1).
inline Mask rectMask(int h, int w, int x0, int y0, int x1, int y1) {
    Mask m(h, w);
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) m.set(y, x, true);
    return m;
}

}  // namespace samtok::test
