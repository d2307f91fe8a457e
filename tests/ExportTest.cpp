// The MLLM export on a small project whose content is known (ExportFixture.h):
// every target's layout and registration, the path policies, determinism, the
// split, and the refusals. The records task by task are in ExportTaskTest.cpp.
#include "ExportFixture.h"
#include "dataset/Validator.h"
#include "export/ZoomCrop.h"
#include "util/Error.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace samtok;
using namespace samtok::exporter;
using namespace samtok::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(Export, EachTargetsLayoutAndRegistration) {
    ExportFixture f;
    struct Case {
        Target target;
        const char* file;
    };
    for (const Case& c : {Case{Target::SamTokJson, "samtok.json"}, Case{Target::SamTokJsonl, "samtok.jsonl"},
                          Case{Target::LlamaFactory, "samtok.json"}, Case{Target::Swift, "samtok.jsonl"},
                          Case{Target::Llava, "samtok.json"}, Case{Target::InternVL, "samtok.jsonl"}}) {
        SCOPED_TRACE(toString(c.target));
        const std::string out = std::string("out-") + toString(c.target);
        const ExportReport report = exportDataset(f.store, f.options(c.target, out));
        const fs::path dir = f.dir.path() / out;
        const auto rs = records(dir / c.file);
        const json* zoom = findRecord(rs, "Zoom in");
        if (c.target == Target::Llava) {  // one image per record: the zoom-in record is left out, and said
            ASSERT_EQ(rs.size(), 10u);
            EXPECT_EQ(zoom, nullptr);
            EXPECT_TRUE(std::any_of(report.notes.begin(), report.notes.end(),
                                    [](const std::string& n) { return n.find("LLaVA") != std::string::npos; }));
        } else {
            ASSERT_EQ(rs.size(), 11u);
            ASSERT_TRUE(zoom);
        }
        switch (c.target) {
            case Target::SamTokJson:
            case Target::SamTokJsonl:
                EXPECT_EQ(rs[0].size(), 2u);
                EXPECT_TRUE(rs[0].contains("image") && rs[0].contains("conversations"));
                break;
            case Target::LlamaFactory:
            case Target::Swift: {
                EXPECT_EQ(rs[0].size(), 2u);
                EXPECT_EQ(rs[0]["messages"][0]["role"], "user");
                EXPECT_EQ(rs[0]["messages"][1]["role"], "assistant");
                EXPECT_TRUE(rs[0]["images"].is_array());
                EXPECT_EQ((*zoom)["images"].size(), 2u);
                if (c.target == Target::LlamaFactory) {
                    const json info = json::parse(slurp(dir / "dataset_info.json"));
                    EXPECT_EQ(info["samtok"]["file_name"], "samtok.json");
                    EXPECT_EQ(info["samtok"]["formatting"], "sharegpt");
                    EXPECT_EQ(info["samtok"]["columns"]["messages"], "messages");
                    EXPECT_EQ(info["samtok"]["columns"]["images"], "images");
                    EXPECT_EQ(info["samtok"]["tags"]["user_tag"], "user");
                }
                break;
            }
            case Target::Llava:
                EXPECT_EQ(rs[0]["id"], "samtok-0");
                EXPECT_EQ(rs[9]["id"], "samtok-9");
                for (const json& r : rs) EXPECT_TRUE(r["image"].is_string());
                break;
            case Target::InternVL: {
                EXPECT_EQ(rs[3]["id"], 3);
                const json* left = findRecord(rs, "the left cup");
                EXPECT_EQ((*left)["width"], 200);
                EXPECT_EQ((*left)["height"], 100);
                EXPECT_EQ((*zoom)["width_list"], json({200, 94}));
                EXPECT_EQ((*zoom)["height_list"], json({100, 94}));
                const json meta = json::parse(slurp(dir / "samtok_meta.json"));
                EXPECT_EQ(meta["samtok"]["length"], 11);
                // Relative to the export folder, where train_internvl.sh launches: the export can move.
                EXPECT_EQ(meta["samtok"]["root"], "./");
                EXPECT_EQ(meta["samtok"]["annotation"], c.file);
                break;
            }
        }
        const auto check = dataset::validateDataset((dir / c.file).string());
        EXPECT_TRUE(check.issues.empty()) << check.issues[0].message;
    }
}

TEST(Export, VocabularyFilesAndReadmeNameTheTokenizer) {
    ExportFixture f;
    exportDataset(f.store, f.options());
    const fs::path out = f.dir.path() / "out";
    std::ifstream in(out / "tokens.txt");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    ASSERT_EQ(lines.size(), 514u);
    EXPECT_EQ(lines.front(), "<|mt_start|>");
    EXPECT_EQ(lines[1], "<|mt_0000|>");
    EXPECT_EQ(lines[512], "<|mt_0511|>");
    EXPECT_EQ(lines.back(), "<|mt_end|>");
    const json added = json::parse(slurp(out / "mask_tokens_added.json"));
    ASSERT_EQ(added.size(), 514u);
    EXPECT_EQ(added[5]["content"], "<|mt_0004|>");
    EXPECT_EQ(added[5]["special"], false);
    EXPECT_EQ(added[5]["normalized"], false);
    const std::string commas = slurp(out / "add_tokens.txt");
    EXPECT_EQ(std::count(commas.begin(), commas.end(), ','), 513);
    const std::string readme = slurp(out / "README.md");
    EXPECT_NE(readme.find(std::string(64, 'c')), std::string::npos);
    EXPECT_NE(readme.find("test-tokenizer"), std::string::npos);
    EXPECT_NE(readme.find("skip_special_tokens"), std::string::npos);
    EXPECT_NE(readme.find("mean IoU"), std::string::npos);
}

TEST(Export, SameProjectAndSeedGiveTheSameBytesTheSplitKeepsImagesWhole) {
    ExportFixture f;
    auto o = f.options(Target::SamTokJsonl, "one");
    o.pathPrefix = "/data/cups";  // else each names its own folder
    exportDataset(f.store, o);
    o.outDir = f.dir.file("two");
    exportDataset(f.store, o);
    EXPECT_EQ(slurp(f.dir.path() / "one/samtok.jsonl"), slurp(f.dir.path() / "two/samtok.jsonl"));

    std::set<std::string> questions[2];
    for (int seed = 0; seed < 2; ++seed) {
        auto s = f.options(Target::SamTokJsonl, "seed" + std::to_string(seed));
        s.seed = static_cast<std::uint64_t>(seed) * 7919;
        exportDataset(f.store, s);
        for (const auto& r : records(f.dir.path() / ("seed" + std::to_string(seed)) / "samtok.jsonl"))
            questions[seed].insert(r["conversations"][0]["value"].get<std::string>());
    }
    EXPECT_NE(questions[0], questions[1]);

    // With a val share, each image's records all land in one split, and both splits are used.
    std::map<std::string, std::set<std::string>> splitsOfImage;
    int bothUsed = 0;
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        auto s = f.options(Target::SamTokJsonl, "split" + std::to_string(seed));
        s.valFraction = 0.5;
        s.seed = seed;
        const auto r = exportDataset(f.store, s);
        bothUsed += r.records.count("train") && r.records.count("val");
        for (const char* split : {"train", "val"}) {
            const fs::path file =
                f.dir.path() / ("split" + std::to_string(seed)) / (std::string("samtok_") + split + ".jsonl");
            if (!fs::exists(file)) continue;
            for (const auto& rec : records(file)) {
                const std::string image = rec["image"].is_array() ? rec["image"][0] : rec["image"];
                splitsOfImage[std::to_string(seed) + image].insert(split);
            }
        }
    }
    for (const auto& [image, splits] : splitsOfImage) EXPECT_EQ(splits.size(), 1u) << image;
    EXPECT_GT(bothUsed, 0);
}

TEST(Export, AbsolutePathsPointAtTheProjectImages) {
    ExportFixture f;
    auto o = f.options(Target::Swift);
    o.paths = PathPolicy::Absolute;
    exportDataset(f.store, o);
    EXPECT_FALSE(fs::exists(f.dir.path() / "out/images"));
    for (const auto& r : records(f.dir.path() / "out/samtok.jsonl"))
        for (const auto& p : r["images"]) {
            EXPECT_TRUE(fs::path(p.get<std::string>()).is_absolute()) << p;
            EXPECT_TRUE(fs::exists(p.get<std::string>())) << p;
        }
}

TEST(Export, RelativePathsCopyOrLinkTheImagesUnderTheExport) {
    ExportFixture f;
    auto o = f.options(Target::Llava);
    o.transfer = ImageTransfer::Link;
    exportDataset(f.store, o);
    const fs::path out = f.dir.path() / "out";
    EXPECT_EQ(slurp(out / "images/a.png"), slurp(f.dir.path() / "a.png"));
    EXPECT_EQ(fs::hard_link_count(out / "images/a.png"), 2u);
    const auto check = dataset::validateDataset((out / "samtok.json").string());
    EXPECT_TRUE(check.issues.empty()) << check.issues[0].message;
}

TEST(Export, RegionsWithoutTokensStopTheExportBeforeAnyFileIsWritten) {
    ExportFixture f;
    Annotation a;
    a.imageId = f.imageB;
    a.mask = rle::encode(rectMask(60, 80, 0, 0, 4, 4));
    a.caption = "a corner";
    f.store.addAnnotation(a);
    try {
        exportDataset(f.store, f.options());
        FAIL() << "exported with a region lacking tokens";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("1 region(s) have no tokens"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(f.dir.path() / "out"));
    auto o = f.options();
    o.skipUntokenized = true;
    const auto r = exportDataset(f.store, o);
    EXPECT_EQ(r.untokenized, 1);
    EXPECT_EQ(r.total(), 11);
}

TEST(Export, PoorReconstructionsAndRejectedRegionsAreLeftOut) {
    ExportFixture f;
    auto o = f.options();
    o.minReconstructionIou = 0.5;
    const auto r = exportDataset(f.store, o);
    EXPECT_EQ(r.belowIou, 1);  // the table on a.png
    EXPECT_EQ(r.records.at("").at("refseg"), 2);
    EXPECT_EQ(r.records.at("").count("gcg"), 0u);
    EXPECT_EQ(r.records.at("").count("vqa"), 0u);
    EXPECT_EQ(r.records.at("").at("regioncap"), 1);

    auto rejected = *f.store.annotation(f.r2);
    rejected.review = ReviewState::Rejected;
    f.store.updateAnnotation(rejected);
    const auto r2 = exportDataset(f.store, f.options(Target::SamTokJsonl, "rejected"));
    // "both cups", the cup group and the grounded caption all needed the rejected cup.
    EXPECT_EQ(r2.records.at("").at("gres"), 2);
    EXPECT_EQ(r2.records.at("").count("gcg"), 0u);
    EXPECT_FALSE(r2.notes.empty());
    const std::string text = slurp(f.dir.path() / "rejected/samtok.jsonl");
    EXPECT_EQ(text.find(tok(3, 4)), std::string::npos);
}

TEST(Export, UnquotedMasksTemplatesFileAndMissingCropTokenizer) {
    ExportFixture f;
    auto o = f.options();
    o.quoteMaskTokens = false;
    o.tasks = {Task::RefSeg};
    exportDataset(f.store, o);
    EXPECT_NE(slurp(f.dir.path() / "out/samtok.jsonl").find("\\\"mask_2d\\\": <|mt_start|>"), std::string::npos);

    std::ofstream(f.dir.file("t.json")) << R"({"refseg": ["Mask the {X}, please."]})";
    auto t = f.options(Target::SamTokJsonl, "templated");
    t.tasks = {Task::RefSeg};
    t.templates = TemplatePools::fromJsonFile(f.dir.file("t.json"));
    exportDataset(f.store, t);
    for (const auto& r : records(f.dir.path() / "templated/samtok.jsonl"))
        EXPECT_EQ(r["conversations"][0]["value"].get<std::string>().rfind("<image>\nMask the ", 0), 0u);
    std::ofstream(f.dir.file("bad.json")) << R"({"refseg": ["no placeholder"]})";
    EXPECT_THROW(TemplatePools::fromJsonFile(f.dir.file("bad.json")), FormatError);
    std::ofstream(f.dir.file("bad2.json")) << R"({"captions": ["{X}"]})";
    EXPECT_THROW(TemplatePools::fromJsonFile(f.dir.file("bad2.json")), UserError);

    auto n = f.options(Target::SamTokJsonl, "nocrop");
    n.tokenizeCrop = nullptr;
    EXPECT_THROW(exportDataset(f.store, n), UserError);
    EXPECT_FALSE(fs::exists(f.dir.path() / "nocrop"));
}

TEST(Export, PhrasesWithAnArticleDoNotDoubleIt) {
    EXPECT_EQ(fillPhrase("Please segment the {X} in this image.", "the rider"),
              "Please segment the rider in this image.");
    EXPECT_EQ(fillPhrase("Where is the {X}?", "a horse"), "Where is a horse?");
    EXPECT_EQ(fillPhrase("Where is the {X}?", "man on the left"), "Where is the man on the left?");
    EXPECT_EQ(fillPhrase("Segment {X}.", "The cup"), "Segment The cup.");
}
