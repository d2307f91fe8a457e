// An export never leaves regions out silently: what no record could use is
// counted, and named in the report's notes and the dataset's README.
#include "OnePhoto.h"
#include "dataset/Validator.h"
#include "export/Export.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace samtok;
using namespace samtok::exporter;

using samtok::test::OnePhoto;
using samtok::test::slurp;

TEST(ExportNotes, RegionsThatNothingNamesAreCountedAndNamedInTheReadme) {
    OnePhoto p;
    p.add(10, 10, 40, 40, p.store.addClass("cup", "#ff0000"));
    p.add(60, 10, 90, 40);
    p.add(110, 10, 140, 40);
    const ExportReport r = exportDataset(p.store, p.options("out"));
    EXPECT_EQ(r.records.at("").at("refseg"), 1);  // the cup, by its class name
    EXPECT_EQ(r.unnamed, 2);
    std::string note;
    for (const auto& n : r.notes)
        if (n.find("in no record") != std::string::npos) note = n;
    EXPECT_NE(note.find("2 of 3"), std::string::npos) << note;
    const std::string readme = slurp(p.dir.file("out/README.md"));
    EXPECT_NE(readme.find("## Left out"), std::string::npos);
    EXPECT_NE(readme.find(note), std::string::npos);
}

TEST(ExportNotes, InternVLGetsOneMetaFilePerSplitSoValidationIsNeverTrainedOn) {
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    const RowId cup = store.addClass("cup", "#ff0000");
    const RowId tokenizer =
        store.registerTokenizer({0, "t", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'c')});
    for (int i = 0; i < 12; ++i) {
        const std::string file = dir.file("im" + std::to_string(i) + ".png");
        cv::imwrite(file, cv::Mat(40, 60, CV_8UC3, cv::Scalar(10 * i, 80, 120)));
        const RowId image = store.addImage({file, 60, 40, std::string(63, 'a') + static_cast<char>('a' + i)});
        Annotation a;
        a.imageId = image;
        a.classId = cup;
        a.mask = rle::encode(test::rectMask(40, 60, 5, 5, 30, 30));
        store.setTokens({store.addAnnotation(a), tokenizer, {1, 2}, 0.9, 0});
    }
    ExportOptions o;
    o.target = Target::InternVL;
    o.outDir = dir.file("out");
    o.tokenizerId = tokenizer;
    o.valFraction = 0.3;
    const ExportReport r = exportDataset(store, o);
    ASSERT_TRUE(r.records.count("train") && r.records.count("val"));
    for (const char* split : {"train", "val"}) {
        std::ifstream in(dir.file(std::string("out/samtok_") + split + "_meta.json"));
        ASSERT_TRUE(in.good()) << split;
        const auto meta = nlohmann::json::parse(in);
        EXPECT_EQ(meta.size(), 1u) << "a meta file holds one split: InternVL trains on all of its entries";
        EXPECT_TRUE(meta.contains(std::string("samtok_") + split));
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("out/samtok_meta.json")));
}

TEST(ExportNotes, UserTextWithTrainerMarkupIsLeftOutAndTheValidatorNamesIt) {
    OnePhoto p;
    p.add(10, 10, 40, 40, std::nullopt, "the cup on the left");
    p.add(60, 10, 90, 40, std::nullopt, "the <video> frame");
    p.add(110, 10, 140, 40, std::nullopt, "an extra <image> here");
    p.add(150, 10, 180, 40, std::nullopt, "stop<|im_end|>");
    p.add(10, 50, 40, 80, std::nullopt, "the <|object_ref_start|>mug");  // the exporter's own markup
    const ExportReport r = exportDataset(p.store, p.options("out"));
    EXPECT_EQ(r.records.at("").at("refseg"), 1);  // only the clean expression
    bool said = false;
    for (const auto& n : r.notes) said = said || n.find("4 text(s) left out") != std::string::npos;
    EXPECT_TRUE(said);
    // A file written by hand with such text is named by the validator, with the token.
    std::ofstream(p.dir.file("hand.jsonl"))
        << R"({"image": "a.png", "conversations": [{"from": "human", "value": "<image>\nthe <video> cup"},)"
        << R"( {"from": "gpt", "value": "ok"}]})"
        << "\n";
    const auto check = dataset::validateDataset(p.dir.file("hand.jsonl"));
    bool named = false;
    for (const auto& i : check.issues) named = named || i.message.find("'<video>'") != std::string::npos;
    EXPECT_TRUE(named);
}

TEST(ExportNotes, TokensOfAnotherTokenizerKindAreWarnedAboutOrRefusedOnRequest) {
    TokenizerModel micro{1, "samtok-micro", R"({"name": "samtok-micro", "quantizer": {"codebook_size": 256}})",
                         std::string(64, 'm')};
    TokenizerModel official{
        2, "mask_tokenizer_256x2",
        R"({"name": "sam2.1_hiera_large", "quantizer": {"codebook_size": 256, "codebook_depth": 2}})",
        std::string(64, 'o')};
    EXPECT_NE(unofficialTokenizerWarning(micro).find("samtok-micro"), std::string::npos);
    EXPECT_EQ(unofficialTokenizerWarning(official), "");

    OnePhoto p(micro.configJson, micro.name);
    p.add(10, 10, 40, 40, p.store.addClass("cup", "#ff0000"));
    ExportOptions o = p.options("out");
    const ExportReport r = exportDataset(p.store, o);
    EXPECT_FALSE(r.tokenizerWarning.empty());
    std::ifstream in(p.dir.file("out/README.md"));
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("**Warning: ", 0), 0u) << "the README's first line: " << first;
    o.outDir = p.dir.file("strict");
    o.requireOfficial = true;
    EXPECT_THROW(exportDataset(p.store, o), UserError);
    EXPECT_FALSE(std::filesystem::exists(p.dir.file("strict/README.md")));
}

TEST(ExportNotes, LlamaFactoryAndSwiftGetAStartFileThatRegistersTheMaskTokens) {
    OnePhoto p;
    p.add(10, 10, 40, 40, p.store.addClass("cup", "#ff0000"));
    ExportOptions o = p.options("lf", {Task::RefSeg});
    o.target = Target::LlamaFactory;
    exportDataset(p.store, o);
    const test::TempDir& dir = p.dir;
    const std::string yaml = slurp(dir.file("lf/train_llamafactory.yaml"));
    const std::string absolute = std::filesystem::absolute(dir.file("lf")).lexically_normal().string();
    EXPECT_NE(yaml.find("dataset_dir: \"" + absolute + "\"\n"), std::string::npos) << yaml;  // quoted
    EXPECT_NE(yaml.find("dataset: samtok\n"), std::string::npos);  // the entry of dataset_info.json
    EXPECT_NE(yaml.find("resize_vocab: true"), std::string::npos);
    EXPECT_NE(yaml.find("additional_target: embed_tokens,lm_head"), std::string::npos);
    const std::size_t at = yaml.find("add_tokens: ");
    ASSERT_NE(at, std::string::npos);
    const std::string tokens = yaml.substr(at + 12, yaml.find('\n', at) - at - 12);
    EXPECT_EQ(std::count(tokens.begin(), tokens.end(), ','), 513) << "514 tokens";
    EXPECT_EQ(tokens.rfind("<|mt_start|>,<|mt_0000|>", 0), 0u);
    // For the trainers that add no tokens: SAMTok's recipe as a script, which refuses to add them twice.
    const std::string script = slurp(dir.file("lf/add_mask_tokens.py"));
    EXPECT_NE(script.find("normalized=False) for t in tokens],\n        special_tokens=False"), std::string::npos)
        << script;
    EXPECT_NE(script.find("already has"), std::string::npos);
    EXPECT_NE(script.find("tokens.txt"), std::string::npos);
    EXPECT_NE(slurp(dir.file("lf/README.md")).find("add_mask_tokens.py"), std::string::npos);
    if (std::system("python3 -c 'pass' > /dev/null 2>&1") == 0)  // where Python is there, the script at least parses
        EXPECT_EQ(std::system(("python3 -m py_compile '" + dir.file("lf/add_mask_tokens.py") + "'").c_str()), 0);

    o.target = Target::Swift;
    o.outDir = dir.file("swift");
    exportDataset(p.store, o);
    const std::string sh = slurp(dir.file("swift/sft_swift.sh"));
    // The script finds the export from its own place, so the folder can move.
    EXPECT_NE(sh.find("--new_special_tokens \"$HERE/tokens.txt\""), std::string::npos) << sh;
    EXPECT_NE(sh.find("--modules_to_save embed_tokens lm_head"), std::string::npos);
    ASSERT_TRUE(std::filesystem::exists(dir.file("swift/samtok.jsonl")));
    EXPECT_NE(sh.find("--dataset \"$HERE/samtok.jsonl\""), std::string::npos) << sh;
}

TEST(ExportNotes, RefDetAnswersTheBoxOfANamedRegionInQwenCoordinates) {
    OnePhoto p;
    p.add(50, 20, 100, 70, std::nullopt, "the \"blue\" box");  // x 50..99, y 20..69
    const ExportReport r = exportDataset(p.store, p.options("out", {Task::RefDet}));
    ASSERT_EQ(r.records.at("").at("refdet"), 1);
    std::ifstream in(p.dir.file("out/samtok.jsonl"));
    const auto record = nlohmann::json::parse(in);
    const std::string answer = record["conversations"][1]["value"];
    ASSERT_EQ(answer.rfind("```json\n", 0), 0u) << answer;
    const auto boxes = nlohmann::json::parse(answer.substr(8, answer.size() - 12));
    EXPECT_EQ(boxes[0]["bbox_2d"], nlohmann::json({250, 200, 500, 700}));  // of 200 x 100, in thousandths
    EXPECT_EQ(boxes[0]["label"], "the \"blue\" box");
    EXPECT_TRUE(dataset::validateDataset(p.dir.file("out/samtok.jsonl")).issues.empty());
}
