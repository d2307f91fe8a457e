#include "tokens/TokenText.h"

#include <gtest/gtest.h>

using namespace samtok;

TEST(TokenText, FormatsWithTheSecondCodeOffset) {
    EXPECT_EQ(formatMaskTokens({123, 200}), "<|mt_start|><|mt_0123|><|mt_0456|><|mt_end|>");
    EXPECT_EQ(formatMaskTokens({0, 0}), "<|mt_start|><|mt_0000|><|mt_0256|><|mt_end|>");
    const auto vocab = maskTokenVocabulary();
    ASSERT_EQ(vocab.size(), 514u);
    EXPECT_EQ(vocab.front(), "<|mt_start|>");
    EXPECT_EQ(vocab[1], "<|mt_0000|>");
    EXPECT_EQ(vocab[512], "<|mt_0511|>");
    EXPECT_EQ(vocab.back(), "<|mt_end|>");
}

TEST(TokenText, AMissingSecondCodeIsWrittenAsTheOneCodeGroupItWasReadFrom) {
    const auto p = parseMaskTokens("<|mt_start|><|mt_0042|><|mt_end|>");
    ASSERT_EQ(p.groups.size(), 1u);
    const TokenPair pair = p.groups[0];
    EXPECT_FALSE(pair.hasSecondCode());
    EXPECT_EQ(pair.decodedC1(), 0) << "the official decoder reads a missing second code as code 0";
    EXPECT_EQ(formatMaskTokens(pair), "<|mt_start|><|mt_0042|><|mt_end|>");
    EXPECT_TRUE(pair.fits(256));
    EXPECT_FALSE((TokenPair{256, 0}.fits(256)));
    EXPECT_FALSE((TokenPair{3, -2}.fits(256)));
}

TEST(TokenText, ParsesEveryWellFormedGroupWithItsPosition) {
    const std::string text =
        "The cup " + formatMaskTokens({7, 9}) + " and the saucer " + formatMaskTokens({255, 255}) + ".";
    const TokenParse p = parseMaskTokens(text);
    ASSERT_EQ(p.groups.size(), 2u);
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(p.groups[0].c0, 7);
    EXPECT_EQ(p.groups[0].c1, 9);
    EXPECT_EQ(text.substr(p.groups[0].begin, p.groups[0].end - p.groups[0].begin), formatMaskTokens({7, 9}));
    EXPECT_EQ(p.groups[1].c0, 255);
    EXPECT_EQ(p.groups[1].c1, 255);
    EXPECT_TRUE(p.groups[1].repair.empty());
}

TEST(TokenText, AppliesTheOfficialRepairs) {
    // Three codes: keep the first two.
    auto p = parseMaskTokens("<|mt_start|><|mt_0001|><|mt_0300|><|mt_0400|><|mt_end|>");
    ASSERT_EQ(p.groups.size(), 1u);
    EXPECT_EQ(p.groups[0].c1, 300 - 256);
    EXPECT_NE(p.groups[0].repair.find("first two"), std::string::npos);
    // One code then end: second code missing.
    p = parseMaskTokens("x <|mt_start|><|mt_0042|><|mt_end|> y");
    ASSERT_EQ(p.groups.size(), 1u);
    EXPECT_EQ(p.groups[0].c0, 42);
    EXPECT_EQ(p.groups[0].c1, kMissingCode);
    // One code and nothing after it: second code and end missing.
    p = parseMaskTokens("answer: <|mt_start|><|mt_0042|> done");
    ASSERT_EQ(p.groups.size(), 1u);
    EXPECT_EQ(p.groups[0].c1, kMissingCode);
    EXPECT_EQ(p.warnings.size(), 1u);
    // The <|mt_9999|> sentinel of the official repair reads as a missing code.
    p = parseMaskTokens("<|mt_start|><|mt_0042|><|mt_9999|><|mt_end|>");
    ASSERT_EQ(p.groups.size(), 1u);
    EXPECT_EQ(p.groups[0].c1, kMissingCode);
}

TEST(TokenText, DropsWhatCannotBeRepairedAndSaysSo) {
    // Two codes but no end, a start with no codes, a first code from the second codebook.
    const TokenParse p = parseMaskTokens(
        "<|mt_start|><|mt_0001|><|mt_0257|> and <|mt_start|> and <|mt_start|><|mt_0300|><|mt_0301|><|mt_end|>");
    EXPECT_TRUE(p.groups.empty());
    ASSERT_EQ(p.warnings.size(), 3u);
    EXPECT_NE(p.warnings[0].find("no <|mt_end|>"), std::string::npos) << p.warnings[0];
    EXPECT_NE(p.warnings[1].find("no codes"), std::string::npos) << p.warnings[1];
    EXPECT_NE(p.warnings[2].find("first code 300"), std::string::npos) << p.warnings[2];
    EXPECT_TRUE(parseMaskTokens("no tokens at all, <|mt_12|> <|mt_abcd|>").groups.empty());
}
