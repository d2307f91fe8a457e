// The dataset validator: a clean file passes, and each defect it lists is caught
// with the right line.
#include "TestPaths.h"
#include "dataset/Validator.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace samtok;
using samtok::test::TempDir;

namespace {

const std::string kGood =
    R"({"image": "a.jpg", "conversations": [{"from": "human", "value": "<image>\nPlease segment the dog."}, )"
    R"({"from": "gpt", "value": "```json\n[{\"mask_2d\": \"<|mt_start|><|mt_0017|><|mt_0402|><|mt_end|>\", \"label\": \"dog\"}]\n```"}]})";

struct Fixture {
    TempDir dir;
    Fixture() { std::ofstream(dir.file("a.jpg")) << "x"; }
    dataset::ValidationReport check(const std::vector<std::string>& lines, const std::string& name = "d.jsonl") {
        std::ofstream out(dir.file(name));
        for (const auto& l : lines) out << l << "\n";
        out.close();
        return dataset::validateDataset(dir.file(name));
    }
};

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
}

void expectOne(const dataset::ValidationReport& r, int line, const std::string& fragment) {
    ASSERT_EQ(r.issues.size(), 1u) << (r.issues.empty() ? "" : r.issues[0].message);
    EXPECT_EQ(r.issues[0].line, line);
    EXPECT_NE(r.issues[0].message.find(fragment), std::string::npos) << r.issues[0].message;
}

}  // namespace

TEST(Validator, ACleanFilePasses) {
    Fixture f;
    const auto r = f.check({kGood, kGood});
    EXPECT_TRUE(r.issues.empty()) << r.issues[0].message;
    EXPECT_EQ(r.records, 2);
    EXPECT_EQ(r.maskGroups, 2);
    ASSERT_EQ(r.pairs.size(), 2u);
    EXPECT_EQ(r.pairs[0].c0, 17);
    EXPECT_EQ(r.pairs[0].c1, 146);
}

TEST(Validator, PlaceholdersMustMatchImages) {
    Fixture f;
    expectOne(f.check({kGood, replaced(kGood, "<image>\\n", "")}), 2, "0 <image> placeholder(s) for 1 image(s)");
}

TEST(Validator, NoPlaceholderInAnswers) {
    Fixture f;
    expectOne(f.check({replaced(kGood, "```json", "<image>```json")}), 1, "placeholder in an answer");
}

TEST(Validator, AGroupWithoutEnd) {
    Fixture f;
    expectOne(f.check({kGood, kGood, replaced(kGood, "<|mt_0402|><|mt_end|>", "<|mt_0402|>")}), 3, "no <|mt_end|>");
}

TEST(Validator, AGroupWithThreeCodes) {
    Fixture f;
    expectOne(f.check({replaced(kGood, "<|mt_0402|>", "<|mt_0402|><|mt_0300|>")}), 1, "exactly two codes");
}

TEST(Validator, ASecondCodeInTheFirstRange) {
    Fixture f;
    expectOne(f.check({replaced(kGood, "<|mt_0402|>", "<|mt_0040|>")}), 1, "second code token 40 outside 256..511");
}

TEST(Validator, AFirstCodeOutOfRange) {
    Fixture f;
    expectOne(f.check({replaced(kGood, "<|mt_0017|>", "<|mt_0300|>")}), 1, "first code 300 outside 0..255");
}

TEST(Validator, BrokenJsonInAnAnswer) {
    Fixture f;
    expectOne(f.check({replaced(kGood, "\\\"label\\\": \\\"dog\\\"}]", "\\\"label\\\": \\\"dog\\\"")}), 1,
              "does not parse");
}

TEST(Validator, MaskTokensInsideALabel) {
    Fixture f;
    // A stray token in a label is also a broken group in the answer text: both are reported.
    const auto r = f.check({replaced(kGood, "\\\"label\\\": \\\"dog\\\"", "\\\"label\\\": \\\"dog <|mt_start|>\\\"")});
    bool label = false;
    for (const auto& i : r.issues) label = label || i.message.find("label holds mask tokens") != std::string::npos;
    EXPECT_TRUE(label);
}

TEST(Validator, AMissingImage) {
    Fixture f;
    expectOne(f.check({replaced(kGood, "a.jpg", "missing.jpg")}), 1, "image not found");
}

TEST(Validator, ARecordThatIsNotJson) {
    Fixture f;
    expectOne(f.check({kGood, "{not json"}), 2, "not valid JSON");
}

TEST(Validator, JsonArraysReportTheLineOfEachRecord) {
    Fixture f;
    const auto r = f.check({"[", "  " + kGood + ",", "  " + replaced(kGood, "a.jpg", "gone.jpg"), "]"}, "d.json");
    expectOne(r, 3, "image not found");
    EXPECT_EQ(r.records, 2);
}

TEST(Validator, LlamaFactoryMessagesAreChecked) {
    Fixture f;
    const std::string good =
        R"({"messages": [{"role": "user", "content": "<image>Segment the dog."}, {"role": "assistant", "content": "<|mt_start|><|mt_0001|><|mt_0257|><|mt_end|>"}], "images": ["a.jpg"]})";
    EXPECT_TRUE(f.check({good}).issues.empty());
    expectOne(f.check({replaced(good, "<|mt_0257|>", "")}), 1, "expected exactly two codes, got 1");
}
