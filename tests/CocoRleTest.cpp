#include "TestPaths.h"
#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>

using namespace samtok;

namespace {

Mask randomMask(std::mt19937& rng, int h, int w, double p) {
    std::bernoulli_distribution on(p);
    Mask m(h, w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.set(y, x, on(rng));
    return m;
}

// Decoded-pixel reference for merge and IoU.
Mask combine(const Mask& a, const Mask& b, bool intersect) {
    Mask out(a.height(), a.width());
    for (std::size_t i = 0; i < a.size(); ++i)
        out.data()[i] = intersect ? (a.data()[i] & b.data()[i]) : (a.data()[i] | b.data()[i]);
    return out;
}

}  // namespace

TEST(CocoRle, MatchesPycocotoolsOnEveryGoldenCase) {
    const auto dir = test::sharedDir() / "golden" / "coco-rle";
    std::ifstream in(dir / "expected.jsonl");
    ASSERT_TRUE(in) << "missing " << (dir / "expected.jsonl");
    std::string line;
    int cases = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        const std::string maskFile = j["mask"];
        SCOPED_TRACE(maskFile);
        const Mask mask = readMask((dir / maskFile).string(), 127);
        const Rle r = rle::encode(mask);
        EXPECT_EQ(r.height, j["size"][0].get<int>());
        EXPECT_EQ(r.width, j["size"][1].get<int>());
        EXPECT_EQ(rle::toString(r), j["counts"].get<std::string>());
        EXPECT_EQ(r.counts, j["runs"].get<std::vector<std::uint32_t>>());
        EXPECT_EQ(rle::area(r), j["area"].get<std::uint64_t>());
        const PixelBox b = rle::toBbox(r);
        const auto bbox = j["bbox"].get<std::vector<double>>();
        EXPECT_EQ((std::vector<double>{double(b.x), double(b.y), double(b.width), double(b.height)}), bbox);
        // And back: string -> runs -> pixels.
        const Rle parsed = rle::fromString(j["counts"].get<std::string>(), r.height, r.width);
        EXPECT_EQ(parsed.counts, r.counts);
        EXPECT_EQ(rle::decode(parsed), mask);
        ++cases;
    }
    EXPECT_GE(cases, 35);
}

TEST(CocoRle, RoundTripsRandomMasksOfAwkwardShapes) {
    std::mt19937 rng(7);
    for (auto [h, w, p] : std::vector<std::tuple<int, int, double>>{
             {1, 1, 0.5}, {1, 97, 0.5}, {97, 1, 0.3}, {13, 17, 0.01}, {64, 48, 0.99}, {200, 150, 0.5}}) {
        const Mask m = randomMask(rng, h, w, p);
        const Rle r = rle::encode(m);
        EXPECT_EQ(rle::decode(r), m);
        EXPECT_EQ(rle::fromString(rle::toString(r), h, w), r);
        EXPECT_EQ(rle::area(r), m.area());
        EXPECT_EQ(rle::toBbox(r), m.boundingBox());
    }
}

TEST(CocoRle, MergeAndIouAgreeWithPixelCounts) {
    std::mt19937 rng(11);
    for (int trial = 0; trial < 20; ++trial) {
        const Mask a = randomMask(rng, 31, 45, 0.4), b = randomMask(rng, 31, 45, 0.6);
        const Rle ra = rle::encode(a), rb = rle::encode(b);
        EXPECT_EQ(rle::decode(rle::merge({ra, rb}, false)), combine(a, b, false));
        EXPECT_EQ(rle::decode(rle::merge({ra, rb}, true)), combine(a, b, true));
        const double inter = static_cast<double>(combine(a, b, true).area());
        const double uni = static_cast<double>(combine(a, b, false).area());
        EXPECT_DOUBLE_EQ(rle::iou(ra, rb), inter / uni);
        EXPECT_DOUBLE_EQ(rle::iou(ra, rb, true), inter / static_cast<double>(a.area()));
        // The merge keeps pycocotools' canonical runs (no zero-length runs but the first).
        const Rle u = rle::merge({ra, rb}, false);
        EXPECT_EQ(u, rle::encode(rle::decode(u)));
    }
}

TEST(CocoRle, IouFollowsPycocotoolsForEmptyMasks) {
    const Rle empty = rle::encode(Mask(4, 4));
    EXPECT_EQ(rle::iou(empty, empty), 0.0);
    EXPECT_THROW(rle::iou(empty, rle::encode(Mask(4, 5))), UserError);
    EXPECT_THROW(rle::merge({empty, rle::encode(Mask(5, 4))}, false), UserError);
}

TEST(CocoRle, RefusesMalformedCountsStrings) {
    EXPECT_THROW(rle::fromString("0S1", 5, 6), FormatError);    // runs sum to 35, not 30
    EXPECT_THROW(rle::fromString("0S1 ", 5, 7), FormatError);   // space is not a code character
    EXPECT_THROW(rle::fromString("0\x7f", 5, 7), FormatError);  // out of the 64-character range
    EXPECT_THROW(rle::fromString("0S", 5, 7), FormatError);     // continuation bit on the last character
    EXPECT_THROW(rle::fromString("00L", 2, 2), FormatError);    // negative run after delta decoding
    try {
        rle::fromString("01S!", 6, 6);
        FAIL();
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("position 3"), std::string::npos) << e.what();
    }
}
