// An export never leaves regions out silently: what no record could use is
// counted, and named in the report's notes and the dataset's README.
#include "TestMasks.h"
#include "TestPaths.h"
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

TEST(ExportNotes, RegionsThatNothingNamesAreCountedAndNamedInTheReadme) {
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
    const RowId image = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
    const RowId cup = store.addClass("cup", "#ff0000");
    auto add = [&](std::optional<RowId> cls, int x) {
        Annotation a;
        a.imageId = image;
        a.classId = cls;
        a.mask = rle::encode(test::rectMask(100, 200, x, 10, x + 30, 40));
        return store.addAnnotation(a);
    };
    const RowId named = add(cup, 10), bare1 = add(std::nullopt, 60), bare2 = add(std::nullopt, 110);
    const RowId tokenizer =
        store.registerTokenizer({0, "t", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'c')});
    int c = 1;
    for (RowId r : {named, bare1, bare2}) store.setTokens({r, tokenizer, {c++, c++}, 0.9, 0});

    ExportOptions o;
    o.outDir = dir.file("out");
    o.tokenizerId = tokenizer;
    o.tasks = {Task::RefSeg};
    const ExportReport r = exportDataset(store, o);
    EXPECT_EQ(r.records.at("").at("refseg"), 1);  // the cup, by its class name
    EXPECT_EQ(r.unnamed, 2);
    std::string note;
    for (const auto& n : r.notes)
        if (n.find("in no record") != std::string::npos) note = n;
    EXPECT_NE(note.find("2 of 3"), std::string::npos) << note;
    std::ifstream in(dir.file("out/README.md"));
    std::stringstream readme;
    readme << in.rdbuf();
    EXPECT_NE(readme.str().find("## Left out"), std::string::npos);
    EXPECT_NE(readme.str().find(note), std::string::npos);
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
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
    const RowId image = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
    const RowId tokenizer =
        store.registerTokenizer({0, "t", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'c')});
    auto add = [&](int x, const std::string& expression) {
        Annotation a;
        a.imageId = image;
        a.mask = rle::encode(test::rectMask(100, 200, x, 10, x + 30, 40));
        const RowId id = store.addAnnotation(a);
        store.addReferringExpression(id, expression);
        store.setTokens({id, tokenizer, {3, 4}, 0.9, 0});
    };
    add(10, "the cup on the left");
    add(60, "the <video> frame");
    add(110, "an extra <image> here");
    add(150, "stop<|im_end|>");
    ExportOptions o;
    o.outDir = dir.file("out");
    o.tokenizerId = tokenizer;
    o.tasks = {Task::RefSeg};
    const ExportReport r = exportDataset(store, o);
    EXPECT_EQ(r.records.at("").at("refseg"), 1);  // only the clean expression
    bool said = false;
    for (const auto& n : r.notes) said = said || n.find("3 record(s) left out") != std::string::npos;
    EXPECT_TRUE(said);
    // A file written by hand with such text is named by the validator, with the token.
    std::ofstream(dir.file("hand.jsonl"))
        << R"({"image": "a.png", "conversations": [{"from": "human", "value": "<image>\nthe <video> cup"},)"
        << R"( {"from": "gpt", "value": "ok"}]})"
        << "\n";
    const auto check = dataset::validateDataset(dir.file("hand.jsonl"));
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

    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
    Annotation a;
    a.imageId = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
    a.classId = store.addClass("cup", "#ff0000");
    a.mask = rle::encode(test::rectMask(100, 200, 10, 10, 40, 40));
    const RowId tokenizer = store.registerTokenizer({0, micro.name, micro.configJson, micro.checkpointSha256});
    store.setTokens({store.addAnnotation(a), tokenizer, {1, 2}, 0.9, 0});
    ExportOptions o;
    o.outDir = dir.file("out");
    o.tokenizerId = tokenizer;
    const ExportReport r = exportDataset(store, o);
    EXPECT_FALSE(r.tokenizerWarning.empty());
    std::ifstream in(dir.file("out/README.md"));
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("**Warning: ", 0), 0u) << "the README's first line: " << first;
    o.outDir = dir.file("strict");
    o.requireOfficial = true;
    EXPECT_THROW(exportDataset(store, o), UserError);
    EXPECT_FALSE(std::filesystem::exists(dir.file("strict/README.md")));
}

TEST(ExportNotes, LlamaFactoryAndSwiftGetAStartFileThatRegistersTheMaskTokens) {
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
    Annotation a;
    a.imageId = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
    a.classId = store.addClass("cup", "#ff0000");
    a.mask = rle::encode(test::rectMask(100, 200, 10, 10, 40, 40));
    const RowId tokenizer =
        store.registerTokenizer({0, "t", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'c')});
    store.setTokens({store.addAnnotation(a), tokenizer, {1, 2}, 0.9, 0});
    auto slurp = [](const std::string& file) {
        std::ifstream in(file);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    ExportOptions o;
    o.tokenizerId = tokenizer;
    o.target = Target::LlamaFactory;
    o.outDir = dir.file("lf");
    exportDataset(store, o);
    const std::string yaml = slurp(dir.file("lf/train_llamafactory.yaml"));
    const std::string absolute = std::filesystem::absolute(dir.file("lf")).lexically_normal().string();
    EXPECT_NE(yaml.find("dataset_dir: " + absolute + "\n"), std::string::npos) << yaml;
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
    EXPECT_NE(script.find("add_tokens(tokens, special_tokens=False)"), std::string::npos);
    EXPECT_NE(script.find("already has"), std::string::npos);
    EXPECT_NE(script.find("tokens.txt"), std::string::npos);
    EXPECT_NE(slurp(dir.file("lf/README.md")).find("add_mask_tokens.py"), std::string::npos);
    if (std::system("python3 -c 'pass' > /dev/null 2>&1") == 0)  // where Python is there, the script at least parses
        EXPECT_EQ(std::system(("python3 -m py_compile '" + dir.file("lf/add_mask_tokens.py") + "'").c_str()), 0);

    o.target = Target::Swift;
    o.outDir = dir.file("swift");
    o.valFraction = 0.5;
    exportDataset(store, o);
    const std::string sh = slurp(dir.file("swift/sft_swift.sh"));
    EXPECT_NE(sh.find("--new_special_tokens '"), std::string::npos);
    EXPECT_NE(sh.find("/tokens.txt'"), std::string::npos);
    EXPECT_NE(sh.find("--modules_to_save embed_tokens lm_head"), std::string::npos);
    for (const char* split : {"train", "val"})
        if (std::filesystem::exists(dir.file(std::string("swift/samtok_") + split + ".jsonl")))
            EXPECT_NE(sh.find(std::string("/samtok_") + split + ".jsonl'"), std::string::npos) << split;
}

TEST(ExportNotes, RefDetAnswersTheBoxOfANamedRegionInQwenCoordinates) {
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
    Annotation a;
    a.imageId = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
    a.mask = rle::encode(test::rectMask(100, 200, 50, 20, 100, 70));  // x 50..99, y 20..69
    const RowId id = store.addAnnotation(a);
    store.addReferringExpression(id, "the \"blue\" box");
    const RowId tokenizer =
        store.registerTokenizer({0, "t", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'c')});
    store.setTokens({id, tokenizer, {1, 2}, 0.9, 0});
    ExportOptions o;
    o.outDir = dir.file("out");
    o.tokenizerId = tokenizer;
    o.tasks = {Task::RefDet};
    const ExportReport r = exportDataset(store, o);
    ASSERT_EQ(r.records.at("").at("refdet"), 1);
    std::ifstream in(dir.file("out/samtok.jsonl"));
    const auto record = nlohmann::json::parse(in);
    const std::string answer = record["conversations"][1]["value"];
    ASSERT_EQ(answer.rfind("```json\n", 0), 0u) << answer;
    const auto boxes = nlohmann::json::parse(answer.substr(8, answer.size() - 12));
    EXPECT_EQ(boxes[0]["bbox_2d"], nlohmann::json({250, 200, 500, 700}));  // of 200 x 100, in thousandths
    EXPECT_EQ(boxes[0]["label"], "the \"blue\" box");
    EXPECT_TRUE(dataset::validateDataset(dir.file("out/samtok.jsonl")).issues.empty());
}
