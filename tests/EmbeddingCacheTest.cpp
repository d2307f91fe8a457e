#include "model/EmbeddingCache.h"

#include <gtest/gtest.h>

using namespace samtok::model;

namespace {
struct FakeEmbedding : ImageEmbedding {
    explicit FakeEmbedding(std::size_t b) : b_(b) {}
    int width() const override { return 1; }
    int height() const override { return 1; }
    std::size_t bytes() const override { return b_; }
    std::size_t b_;
};
std::shared_ptr<const ImageEmbedding> fake(std::size_t bytes) {
    return std::make_shared<FakeEmbedding>(bytes);
}
}  // namespace

TEST(EmbeddingCache, EvictsTheLeastRecentlyUsedWithinTheBudget) {
    EmbeddingCache cache(100);
    cache.insert("a", fake(40));
    cache.insert("b", fake(40));
    ASSERT_NE(cache.find("a"), nullptr);  // a is now the most recent
    cache.insert("c", fake(40));          // over budget: b goes
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("a"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
    EXPECT_EQ(cache.bytes(), 80u);
    EXPECT_EQ(cache.size(), 2u);
}

TEST(EmbeddingCache, ReplacesAKeyAndRefusesWhatCanNeverFit) {
    EmbeddingCache cache(100);
    cache.insert("a", fake(30));
    cache.insert("a", fake(50));
    EXPECT_EQ(cache.bytes(), 50u);
    EXPECT_EQ(cache.size(), 1u);
    cache.insert("huge", fake(500));
    EXPECT_EQ(cache.find("huge"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
    cache.setBudget(10);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
}
