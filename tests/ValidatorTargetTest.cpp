// `samtok validate --target T`: each trainer's loader rules, each broken
// file named with its line (0: the file as a whole).
#include "TestPaths.h"
#include "dataset/Validator.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace samtok;
using samtok::exporter::Target;
using samtok::test::TempDir;

namespace {

const std::string kTokens = "<|mt_start|><|mt_0017|><|mt_0402|><|mt_end|>";

// A folder with one image and, unless told otherwise, what every trainer needs beside its records.
struct Folder {
    TempDir dir;
    explicit Folder(bool withTokenFiles = true) {
        std::ofstream(dir.file("a.jpg")) << "x";
        if (!withTokenFiles) return;
        std::ofstream tokens(dir.file("tokens.txt"));
        tokens << "<|mt_start|>\n";
        for (int i = 0; i < 512; ++i) tokens << "<|mt_" << (i < 10 ? "000" : i < 100 ? "00" : "0") << i << "|>\n";
        tokens << "<|mt_end|>\n";
        std::ofstream(dir.file("add_mask_tokens.py")) << "# adds them\n";
    }
    void write(const std::string& name, const std::string& text) const { std::ofstream(dir.file(name)) << text; }
    dataset::ValidationReport check(Target t, const std::string& name) const {
        dataset::ValidationOptions o;
        o.target = t;
        return dataset::validateDataset(dir.file(name), o);
    }
};

std::string conversation(const std::string& question, const std::string& answer) {
    return R"("conversations": [{"from": "human", "value": ")" + question + R"("}, {"from": "gpt", "value": ")" +
           answer + R"("}])";
}

bool mentions(const dataset::ValidationReport& r, int line, const std::string& fragment) {
    for (const auto& i : r.issues)
        if (i.line == line && i.message.find(fragment) != std::string::npos) return true;
    return false;
}

std::string all(const dataset::ValidationReport& r) {
    std::string s;
    for (const auto& i : r.issues) s += std::to_string(i.line) + ": " + i.message + "\n";
    return s;
}

}  // namespace

TEST(ValidatorTarget, LlavaRefusesAnImageListAndJsonLines) {
    Folder f;
    const std::string a = f.dir.file("a.jpg");
    f.write("l.json", "[\n{\"id\": \"0\", \"image\": \"a.jpg\", " + conversation("<image>\\nWhat is it?", "A dog.") +
                          "},\n{\"id\": \"1\", \"image\": [\"a.jpg\", \"a.jpg\"], " +
                          conversation("<image>\\nThis <image>?", "Yes.") + "}\n]\n");
    const auto r = f.check(Target::Llava, "l.json");
    EXPECT_TRUE(mentions(r, 3, "TypeError")) << all(r);
    EXPECT_FALSE(mentions(r, 2, "")) << all(r);
    f.write("l.jsonl", "{\"id\": \"0\", \"image\": \"a.jpg\", " + conversation("<image>\\nWhat?", "A dog.") + "}\n");
    EXPECT_TRUE(mentions(f.check(Target::Llava, "l.jsonl"), 0, "one JSON array"));
}

TEST(ValidatorTarget, AVideoPlaceholderWithoutAVideoIsNamedForEveryTarget) {
    Folder f;
    f.write("s.jsonl", "{\"image\": \"" + f.dir.file("a.jpg") + "\", " +
                           conversation("<image>\\nWhat happens in the <video> " + kTokens + "?", "Nothing.") + "}\n");
    const auto r = f.check(Target::SamTokJsonl, "s.jsonl");
    EXPECT_TRUE(mentions(r, 1, "1 <video> placeholder(s) for 0 video(s)")) << all(r);
}

TEST(ValidatorTarget, InternVLNeedsAMetaFileOfItsOwnWithTheRightLength) {
    Folder f;
    const std::string record = "{\"id\": 0, \"image\": \"a.jpg\", " + conversation("What is it?", "A dog.") + "}\n";
    f.write("train.jsonl", record + record);
    f.write("val.jsonl", record);
    EXPECT_TRUE(mentions(f.check(Target::InternVL, "train.jsonl"), 0, "no InternVL meta file"));

    f.write("meta.json", R"({"train": {"root": "./", "annotation": "train.jsonl", "length": 2},
                             "val": {"root": "./", "annotation": "val.jsonl", "length": 1}})");
    const auto both = f.check(Target::InternVL, "val.jsonl");
    EXPECT_TRUE(mentions(both, 0, "trains on every entry")) << all(both);

    f.write("meta.json", R"({"train": {"root": "./", "annotation": "train.jsonl", "length": 3}})");
    const auto wrong = f.check(Target::InternVL, "train.jsonl");
    EXPECT_TRUE(mentions(wrong, 0, "gives length 3 for 2 record(s)")) << all(wrong);
    // A single image without <image> is fine: InternVL prepends it.
    EXPECT_FALSE(mentions(wrong, 1, "placeholder")) << all(wrong);
}

TEST(ValidatorTarget, InternVLImagesResolveFromTheMetaRootAsOsPathJoinDoes) {
    Folder f;
    f.write("t.jsonl",
            "{\"id\": 0, \"image\": [\"a.jpg\", \"b.jpg\"], \"width_list\": [1, 1], \"height_list\": [1, 1], " +
                conversation("<image>\\n<image>\\nSame?", "Yes.") + "}\n");
    // A root without a trailing '/' still joins as a folder; the one missing image is named where InternVL looks.
    f.write("meta.json",
            "{\"t\": {\"root\": \"" + f.dir.path().string() + "\", \"annotation\": \"t.jsonl\", \"length\": 1}}");
    const auto r = f.check(Target::InternVL, "t.jsonl");
    ASSERT_EQ(r.issues.size(), 1u) << all(r);
    EXPECT_TRUE(mentions(r, 1, "image not found: '" + (f.dir.path() / "b.jpg").string() + "'")) << all(r);
    std::ofstream(f.dir.file("b.jpg")) << "x";
    const auto ok = f.check(Target::InternVL, "t.jsonl");
    EXPECT_TRUE(ok.issues.empty()) << all(ok);
}

TEST(ValidatorTarget, LlamaFactoryNeedsAListADatasetEntryAndTheTokensAdded) {
    Folder f;
    const std::string messages =
        R"("messages": [{"role": "user", "content": "<image>Segment the dog."}, {"role": "assistant", "content": ")" +
        kTokens + R"("}])";
    f.write("d.json", "[\n{" + messages + ", \"images\": \"a.jpg\"}\n]\n");
    const auto r = f.check(Target::LlamaFactory, "d.json");
    EXPECT_TRUE(mentions(r, 2, "'images' must be a list")) << all(r);
    EXPECT_TRUE(mentions(r, 0, "dataset_info.json")) << all(r);
    EXPECT_TRUE(mentions(r, 0, "adds the mask tokens")) << all(r);

    f.write("d.json", "[\n{" + messages + ", \"images\": [\"a.jpg\"]}\n]\n");
    f.write("dataset_info.json", R"({"d": {"file_name": "d.json", "formatting": "sharegpt",
        "columns": {"messages": "messages", "images": "images"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}}})");
    f.write("train.yaml", "add_tokens: <|mt_start|>,<|mt_0402|>,<|mt_end|>\nresize_vocab: true\n");
    const auto ok = f.check(Target::LlamaFactory, "d.json");
    EXPECT_TRUE(ok.issues.empty()) << all(ok);
}

TEST(ValidatorTarget, SwiftAndSamTokNeedFullPathsAndTokensRegistered) {
    Folder f(/*withTokenFiles=*/false);
    f.write("s.jsonl", "{\"image\": \"a.jpg\", " + conversation("<image>\\nSegment it.", kTokens) + "}\n");
    const auto r = f.check(Target::SamTokJsonl, "s.jsonl");
    EXPECT_TRUE(mentions(r, 1, "from the folder they are launched in")) << all(r);
    EXPECT_TRUE(mentions(r, 0, "adds no tokens itself")) << all(r);
    f.write("w.jsonl", R"({"messages": [{"role": "user", "content": "<image>Segment it."}, {"role": "assistant", )"
                       R"("content": "ok"}], "images": ["a.jpg"]})"
                       "\n");
    EXPECT_TRUE(mentions(f.check(Target::Swift, "w.jsonl"), 1, "from the folder they are launched in"));
}

TEST(ValidatorTarget, TurnsMustAlternateFromTheQuestion) {
    Folder f;
    f.write(
        "s.jsonl",
        "{\"image\": \"" + f.dir.file("a.jpg") +
            R"(", "conversations": [{"from": "gpt", "value": "Hi."}, {"from": "human", "value": "<image>\nWhat?"}]})"
            "\n");
    const auto r = f.check(Target::SamTokJsonl, "s.jsonl");
    EXPECT_TRUE(mentions(r, 1, "alternation")) << all(r);
    EXPECT_TRUE(mentions(r, 1, "without an answer")) << all(r);
}
