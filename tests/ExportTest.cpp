// The MLLM export on a small project whose content is known: every task's
// records field by field, every target's layout and registration, the path
// policies, determinism, the split, the zoom-in crop, and the refusals.
#include "TestMasks.h"
#include "TestPaths.h"
#include "dataset/Validator.h"
#include "export/Export.h"
#include "export/Samples.h"
#include "export/ZoomCrop.h"
#include "mask/CocoRle.h"
#include "tokens/TokenText.h"
#include "util/AtomicFile.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>

using namespace samtok;
using samtok::test::rectMask;
using namespace samtok::exporter;
using nlohmann::json;
using samtok::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string tok(int c0, int c1) {
    return formatMaskTokens({c0, c1});
}

// Image a.png (200x100, done): left cup r1 (tokens 1 2), right cup r2 (3 4),
// table r3 (5 6, a poor IoU 0.3); image b.png (80x60, unlabelled): table r4 (7 8).
struct Fixture {
    TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "fixture");
    RowId r1 = 0, r2 = 0, r3 = 0, r4 = 0, tokenizer = 0, imageA = 0, imageB = 0;

    Fixture() {
        cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
        cv::imwrite(dir.file("b.png"), cv::Mat(60, 80, CV_8UC3, cv::Scalar(200, 10, 10)));
        imageA = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
        imageB = store.addImage({dir.file("b.png"), 80, 60, std::string(64, 'b')});
        store.setImageStatus(imageA, ImageStatus::Done);
        const RowId cup = store.addClass("cup", "#ff0000"), table = store.addClass("table", "#00ff00");
        store.addClass("dog", "#0000ff");
        auto add = [&](RowId image, RowId cls, const Mask& m, const std::string& caption) {
            Annotation a;
            a.imageId = image;
            a.classId = cls;
            a.mask = rle::encode(m);
            a.caption = caption;
            return store.addAnnotation(a);
        };
        r1 = add(imageA, cup, rectMask(100, 200, 10, 10, 40, 40), "a red cup");
        r2 = add(imageA, cup, rectMask(100, 200, 150, 20, 190, 60), "");
        r3 = add(imageA, table, rectMask(100, 200, 0, 50, 200, 100), "a wooden table");
        r4 = add(imageB, table, rectMask(60, 80, 5, 5, 70, 50), "");
        store.addReferringExpression(r1, "the left cup");
        store.addImageExpression(imageA, "both cups", {r2, r1});
        store.addImageExpression(imageA, "the green dog", {});
        store.setGroundedCaption({imageA, "A table with two cups.", {{0, 7, r3}, {13, 21, r1}, {13, 21, r2}}});
        store.addRegionQuestion(r3, "What is <region> made of?", "Wood.");
        store.addRegionQuestion(r3, "Is it clean?", "Yes.");
        tokenizer = store.registerTokenizer(
            {0, "test-tokenizer", R"({"quantizer": {"codebook_size": 256}})", std::string(64, 'c')});
        int c = 1;
        for (RowId r : {r1, r2, r3, r4}) {
            store.setTokens({r, tokenizer, {c, c + 1}, r == r3 ? 0.3 : 0.9, 0});
            c += 2;
        }
    }

    ExportOptions options(Target target = Target::SamTokJsonl, const std::string& out = "out") const {
        ExportOptions o;
        o.target = target;
        o.outDir = dir.file(out);
        o.tokenizerId = tokenizer;
        o.tokenizeCrop = [](const cv::Mat&, const Mask&) { return TokenPair{9, 10}; };
        return o;
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<json> records(const fs::path& file) {
    std::vector<json> out;
    if (file.extension() == ".jsonl") {
        std::ifstream in(file);
        for (std::string l; std::getline(in, l);)
            if (!l.empty()) out.push_back(json::parse(l));
    } else {
        for (auto& r : json::parse(slurp(file))) out.push_back(r);
    }
    return out;
}

// The record whose first user turn contains `needle`.
const json* findRecord(const std::vector<json>& rs, const std::string& needle) {
    for (const auto& r : rs) {
        const auto& turns = r.contains("conversations") ? r["conversations"] : r["messages"];
        const auto& first = turns[0].contains("value") ? turns[0]["value"] : turns[0]["content"];
        if (first.get<std::string>().find(needle) != std::string::npos) return &r;
    }
    return nullptr;
}

std::string answerJson(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string s = "```json\n[";
    for (std::size_t i = 0; i < items.size(); ++i)
        s += (i ? ", " : "") + std::string("{\"mask_2d\": \"") + items[i].first + "\", \"label\": \"" +
             items[i].second + "\"}";
    return s + "]\n```";
}

}  // namespace

TEST(Export, EveryTaskFieldByField) {
    Fixture f;
    const auto report = exportDataset(f.store, f.options());
    EXPECT_EQ(report.total(), 11);
    EXPECT_EQ(report.records.at("").at("refseg"), 3);
    EXPECT_EQ(report.records.at("").at("gres"), 4);
    EXPECT_EQ(report.records.at("").at("gcg"), 1);
    EXPECT_EQ(report.records.at("").at("regioncap"), 2);
    EXPECT_EQ(report.records.at("").at("vqa"), 1);
    EXPECT_EQ(report.crops, 1);
    const auto rs = records(f.dir.path() / "out/samtok.jsonl");
    ASSERT_EQ(rs.size(), 11u);
    // SAMTok's loader resolves relative paths from where it is launched: its records name the export's copies in full.
    const std::string out = fs::absolute(f.dir.path() / "out").lexically_normal().generic_string() + "/";

    // Referring segmentation: the expression, or the class where it names one region.
    const json* left = findRecord(rs, "the left cup");
    ASSERT_TRUE(left);
    EXPECT_EQ((*left)["image"], out + "images/a.png");
    EXPECT_EQ((*left)["conversations"][0]["from"], "human");
    EXPECT_EQ((*left)["conversations"][0]["value"].get<std::string>().rfind("<image>\n", 0), 0u);
    EXPECT_EQ((*left)["conversations"][1]["from"], "gpt");
    EXPECT_EQ((*left)["conversations"][1]["value"], answerJson({{tok(1, 2), "the left cup"}}));
    int tableRefs = 0;
    for (const auto& r : rs)
        tableRefs += r["conversations"][1]["value"] == answerJson({{tok(5, 6), "table"}}) ||
                     r["conversations"][1]["value"] == answerJson({{tok(7, 8), "table"}});
    EXPECT_EQ(tableRefs, 2);

    // GRES: targets left to right whatever order they were stored in, "No target.", class groups.
    const json* both = findRecord(rs, "both cups");
    ASSERT_TRUE(both);
    EXPECT_EQ((*both)["conversations"][1]["value"],
              answerJson({{tok(1, 2), "one of the both cups"}, {tok(3, 4), "one of the both cups"}}));
    const json* none = findRecord(rs, "the green dog");
    ASSERT_TRUE(none);
    EXPECT_EQ((*none)["conversations"][1]["value"], "No target.");
    int cupGroups = 0, dogNegatives = 0;
    for (const auto& r : rs) {
        cupGroups += r["conversations"][1]["value"] ==
                     answerJson({{tok(1, 2), "one of the cup"}, {tok(3, 4), "one of the cup"}});
        const std::string q = r["conversations"][0]["value"];
        dogNegatives += q.find(" dog") != std::string::npos && q.find("green") == std::string::npos &&
                        r["conversations"][1]["value"] == "No target.";
    }
    EXPECT_EQ(cupGroups, 1);
    EXPECT_EQ(dogNegatives, 1);  // a.png is done, so "dog" is known to be absent; b.png is not

    // GCG: phrases wrapped in Qwen's object-ref tokens, each followed by its masks.
    const json* gcg = nullptr;
    for (const auto& r : rs)
        if (r["conversations"][1]["value"].get<std::string>().find("<|object_ref_start|>") != std::string::npos)
            gcg = &r;
    ASSERT_TRUE(gcg);
    EXPECT_NE(TemplatePools::defaults().questions.at(Task::Gcg).end(),
              std::find(TemplatePools::defaults().questions.at(Task::Gcg).begin(),
                        TemplatePools::defaults().questions.at(Task::Gcg).end(),
                        (*gcg)["conversations"][0]["value"].get<std::string>().substr(8)));
    EXPECT_EQ((*gcg)["conversations"][1]["value"], "<|object_ref_start|>A table<|object_ref_end|> " + tok(5, 6) +
                                                       " with <|object_ref_start|>two cups<|object_ref_end|> " +
                                                       tok(1, 2) + tok(3, 4) + ".");

    // Region captions: the small cup gets SAMTok's zoom-in view, the table does not.
    const json* cupCaption = nullptr;
    const json* tableCaption = nullptr;
    for (const auto& r : rs) {
        if (r["conversations"][1]["value"] == "a red cup") cupCaption = &r;
        if (r["conversations"][1]["value"] == "a wooden table") tableCaption = &r;
    }
    ASSERT_TRUE(cupCaption && tableCaption);
    ASSERT_TRUE((*cupCaption)["image"].is_array());
    ASSERT_EQ((*cupCaption)["image"].size(), 2u);
    EXPECT_EQ((*cupCaption)["image"][0], out + "images/a.png");
    const std::string crop = (*cupCaption)["image"][1];
    EXPECT_EQ(crop, out + "crops/a-r" + std::to_string(f.r1) + ".png");
    const std::string q = (*cupCaption)["conversations"][0]["value"];
    EXPECT_NE(q.find(tok(1, 2)), std::string::npos);
    EXPECT_NE(q.find("Zoom in with the perspective as <image>, " + tok(9, 10) + "."), std::string::npos) << q;
    const cv::Mat cropImage = cv::imread((f.dir.path() / "out" / crop).string());
    // The cup, x and y 10..39: each side 29, grown by (140 - 29) // 2 = 55 to [-45, 94), clipped to [0, 94).
    // A square crop: SAMTok's script does not upscale it.
    EXPECT_EQ(cropImage.cols, 94);
    EXPECT_EQ(cropImage.rows, 94);
    EXPECT_TRUE((*tableCaption)["image"].is_string());
    EXPECT_NE((*tableCaption)["conversations"][0]["value"].get<std::string>().find(tok(5, 6)), std::string::npos);

    // Region VQA: one conversation, the region's tokens where the question says <region>.
    const json* vqa = findRecord(rs, "made of?");
    ASSERT_TRUE(vqa);
    const auto& turns = (*vqa)["conversations"];
    ASSERT_EQ(turns.size(), 4u);
    EXPECT_EQ(turns[0]["value"], "<image>\nWhat is " + tok(5, 6) + " made of?");
    EXPECT_EQ(turns[1]["value"], "Wood.");
    EXPECT_EQ(turns[2]["value"], "Is it clean?");
    EXPECT_EQ(turns[3]["value"], "Yes.");

    // The pre-flight check passes on what was written, images included.
    const auto check = dataset::validateDataset((f.dir.path() / "out/samtok.jsonl").string());
    EXPECT_TRUE(check.issues.empty()) << check.issues[0].message;
    EXPECT_EQ(check.maskGroups, 3 + 4 + 3 + 3 + 1);
}

TEST(Export, EachTargetsLayoutAndRegistration) {
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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

// A full disk, as the kernel reports it to a process over its file-size limit
// (EFBIG where a full disk says ENOSPC): the write fails by the file's name and
// the file written before stays as it was, with no temporary left beside it.
TEST(AtomicFile, AFullDiskFailsByNameAndKeepsThePreviousFile) {
    TempDir dir;
    const std::string path = dir.file("train.jsonl");
    writeFileAtomic(path, "the saved dataset\n");

    rlimit before{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
    rlimit capped = before;
    capped.rlim_cur = 4096;
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);  // else the kernel stops the process
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &capped), 0);
    std::string error;
    try {
        writeFileAtomic(path, std::string(1 << 20, 'x'));
    } catch (const UserError& e) {
        error = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, previousHandler);

    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find("unchanged"), std::string::npos) << error;
    std::ifstream in(path);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "the saved dataset\n");
    EXPECT_FALSE(fs::exists(path + ".tmp"));
}
