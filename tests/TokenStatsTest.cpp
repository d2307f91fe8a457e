// Analytics over a project whose tokens are known: every count is checked
// against a query of its own or against the values that were written.
#include "TestPaths.h"
#include "analytics/TokenStats.h"
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"
#include "store/Sqlite.h"

#include <gtest/gtest.h>

#include <random>

using namespace samtok;

namespace {

struct KnownProject {
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "stats");
    RowId tokenizer = 0, other = 0;
    RowId cat = 0, dog = 0;
    struct Written {
        RowId id;
        std::optional<RowId> classId;
        int area, c0, c1;
        std::optional<double> iou;
    };
    std::vector<Written> written;

    KnownProject() {
        const RowId image = store.addImage({"/data/a.png", 40, 30, std::string(64, 'a')});
        cat = store.addClass("cat", "#ff0000");
        dog = store.addClass("dog", "#00ff00");
        tokenizer = store.registerTokenizer({0, "micro", R"({"codebook_size":256})", std::string(64, 'b')});
        other = store.registerTokenizer({0, "official", R"({"codebook_size":256})", std::string(64, 'c')});
        std::mt19937 rng(7);
        for (int i = 0; i < 60; ++i) {
            Mask m(30, 40);
            const int side = 1 + i % 20;  // areas 1 .. 400
            for (int y = 0; y < side && y < 30; ++y)
                for (int x = 0; x < side; ++x) m.set(y, x, true);
            Annotation a;
            a.imageId = image;
            a.classId = i % 3 == 0 ? std::nullopt : std::optional<RowId>(i % 3 == 1 ? cat : dog);
            a.mask = rle::encode(m);
            a.source = AnnotationSource::Brush;
            const RowId id = store.addAnnotation(a);
            // Edges of bins on purpose: 0, 0.05, 0.75, 1.0; one region not measured.
            const double choices[] = {0.0, 0.05, 0.049999, 0.5, 0.75, 0.999, 1.0};
            std::optional<double> iou = i == 5 ? std::nullopt : std::optional<double>(choices[rng() % 7]);
            const int c0 = static_cast<int>(rng() % 8), c1 = 100 + static_cast<int>(rng() % 3);
            store.setTokens({id, tokenizer, {c0, c1}, iou, 0});
            store.setTokens({id, other, {255, 255}, 0.0, 0});  // another tokenizer's: must not count
            written.push_back({id, a.classId, side * std::min(side, 30), c0, c1, iou});
        }
    }
};

}  // namespace

TEST(TokenStats, CountsUsageAndUnusedCodesOfOneTokenizer) {
    KnownProject p;
    const auto s = analytics::collectTokenStats(p.store, p.tokenizer, 256);
    ASSERT_EQ(s.regions.size(), p.written.size());
    std::vector<std::int64_t> c0(256, 0), c1(256, 0);
    std::set<std::pair<int, int>> pairs;
    for (std::size_t i = 0; i < p.written.size(); ++i) {
        const auto& w = p.written[i];
        EXPECT_EQ(s.regions[i].annotationId, w.id);
        EXPECT_EQ(s.regions[i].classId, w.classId);
        EXPECT_EQ(s.regions[i].area, static_cast<std::uint64_t>(w.area));
        EXPECT_EQ(s.regions[i].iou, w.iou);
        ++c0[static_cast<std::size_t>(w.c0)];
        ++c1[static_cast<std::size_t>(w.c1)];
        pairs.insert({w.c0, w.c1});
    }
    EXPECT_EQ(s.c0Usage, c0);
    EXPECT_EQ(s.c1Usage, c1);
    EXPECT_EQ(s.unusedC0, 256 - 8);
    EXPECT_EQ(s.unusedC1, 256 - 3);
    EXPECT_EQ(s.usedPairs, static_cast<std::int64_t>(pairs.size()));
    std::int64_t total = 0;
    for (auto n : s.pairUsage) total += n;
    EXPECT_EQ(total, 60);
    EXPECT_EQ(s.pairUsage[static_cast<std::size_t>(p.written[0].c0) * 256 + static_cast<std::size_t>(p.written[0].c1)],
              std::count_if(p.written.begin(), p.written.end(),
                            [&](const auto& w) { return w.c0 == p.written[0].c0 && w.c1 == p.written[0].c1; }));
    // Codes past a smaller codebook are counted apart, not written out of bounds.
    const auto small = analytics::collectTokenStats(p.store, p.tokenizer, 101);
    EXPECT_EQ(small.outOfRange,
              std::count_if(p.written.begin(), p.written.end(), [](const auto& w) { return w.c1 >= 101; }));
    EXPECT_THROW(analytics::collectTokenStats(p.store, p.tokenizer, 0), std::invalid_argument);
}

TEST(TokenStats, HistogramBinsEqualCountsFromTheDatabase) {
    KnownProject p;
    const auto s = analytics::collectTokenStats(p.store, p.tokenizer, 256);
    const int bins = 20;
    for (const std::optional<RowId> cls :
         {std::optional<RowId>(), std::optional<RowId>(p.cat), std::optional<RowId>(p.dog)}) {
        const auto h = analytics::iouHistogram(s.regions, bins, std::optional<std::optional<RowId>>(cls));
        ASSERT_EQ(h.size(), 20u);
        for (int b = 0; b < bins; ++b) {
            // The bin as SQL sees it: [b/20, (b+1)/20), the last one closed.
            const std::string classTest = cls ? "a.class_id = " + std::to_string(*cls) : "a.class_id IS NULL";
            const std::string upper = b == bins - 1 ? "t.reconstruction_iou <= 1.0"
                                                    : "t.reconstruction_iou < " + std::to_string((b + 1) / 20.0);
            const auto expected = p.store.database().queryInt(
                "SELECT count(*) FROM tokens t JOIN annotations a ON a.id = t.annotation_id WHERE t.tokenizer_id = " +
                std::to_string(p.tokenizer) + " AND " + classTest +
                " AND t.reconstruction_iou >= " + std::to_string(b / 20.0) + " AND " + upper);
            EXPECT_EQ(h[static_cast<std::size_t>(b)], expected) << "bin " << b;
        }
    }
    const auto all = analytics::iouHistogram(s.regions, bins);
    std::int64_t sum = 0;
    for (auto n : all) sum += n;
    EXPECT_EQ(sum, 59);  // every measured region once
}

TEST(TokenStats, LowestIouListsTheWorstFirst) {
    KnownProject p;
    const auto s = analytics::collectTokenStats(p.store, p.tokenizer, 256);
    const auto worst = analytics::lowestIou(s.regions, 10);
    ASSERT_EQ(worst.size(), 10u);
    for (std::size_t i = 1; i < worst.size(); ++i) {
        EXPECT_LE(*worst[i - 1].iou, *worst[i].iou);
        if (*worst[i - 1].iou == *worst[i].iou) EXPECT_LT(worst[i - 1].annotationId, worst[i].annotationId);
    }
    double lowest = 1;
    for (const auto& w : p.written)
        if (w.iou) lowest = std::min(lowest, *w.iou);
    EXPECT_EQ(*worst[0].iou, lowest);
    EXPECT_EQ(analytics::lowestIou(s.regions, 1000).size(), 59u);
}
