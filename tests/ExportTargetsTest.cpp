// Each trainer gets records in its model family's grounding form, paths that
// resolve where its loader resolves them, and a ready-to-run start beside.
#include "OnePhoto.h"
#include "dataset/Validator.h"
#include "export/Grounding.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

using namespace samtok;
using namespace samtok::exporter;
using samtok::test::OnePhoto;
using samtok::test::slurp;
namespace fs = std::filesystem;

namespace {

nlohmann::json firstRecord(const std::string& file) {
    std::string text = slurp(file);
    if (text.rfind("[", 0) == 0) return nlohmann::json::parse(text).at(0);
    return nlohmann::json::parse(text.substr(0, text.find('\n')));
}

// The cup at [10, 40) x [10, 40) of the 200 x 100 photo, named "the cup", in a grounded caption too.
RowId addCup(OnePhoto& p) {
    const RowId cup = p.add(10, 10, 40, 40, std::nullopt, "the cup");
    p.store.setGroundedCaption({p.image, "A cup on a table.", {{0, 5, cup}}});
    return cup;
}

}  // namespace

TEST(Grounding, SmartResizeRoundsHalfToEvenAndKeepsWithinThePixelLimits) {
    // 1280 x 960: round(45.71) * 28 = 1288, round(34.29) * 28 = 952; 1.23 M pixels is within the defaults.
    EXPECT_EQ(smartResize(1280, 960).width, 1288);
    EXPECT_EQ(smartResize(1280, 960).height, 952);
    // 42 / 28 = 1.5 rounds to 2 (56), 70 / 28 = 2.5 rounds to 2 (56), as Python's round does.
    EXPECT_EQ(smartResize(42, 70).width, 56);
    EXPECT_EQ(smartResize(42, 70).height, 56);
    // 4000 x 3000 over 1003520 pixels: beta = sqrt(12e6 / 1003520) = 3.458; floor(41.31) * 28, floor(30.98) * 28.
    EXPECT_EQ(smartResize(4000, 3000, 3136, 1003520).width, 1148);
    EXPECT_EQ(smartResize(4000, 3000, 3136, 1003520).height, 840);
    // A tiny image grows to min_pixels: 20 x 20, beta = sqrt(3136 / 400) = 2.8: ceil(56 / 28) * 28 = 56.
    EXPECT_EQ(smartResize(20, 20).width, 56);
}

TEST(Grounding, BoxesAreRelativeForQwen3AndInternVLAndResizedPixelsForQwen25) {
    const PixelBox b{112, 401, 186, 254};  // [112, 298) x [401, 655) of a 1280 x 960 photo
    const std::array<int, 4> rel{88, 418, 233, 682};
    EXPECT_EQ(familyBox(ModelFamily::Qwen3VL, b, 1280, 960), rel);
    EXPECT_EQ(familyBox(ModelFamily::InternVL, b, 1280, 960), rel);
    // In the 1288 x 952 image Qwen2.5-VL sees: 112 * 1288 / 1280 = 112.7, 401 * 952 / 960 = 397.7, ...
    const std::array<int, 4> resized{113, 398, 300, 650};
    EXPECT_EQ(familyBox(ModelFamily::Qwen25VL, b, 1280, 960), resized);
}

TEST(ExportTargets, Qwen25RefDetAnswersInPixelsOfTheResizedImage) {
    OnePhoto p;  // 200 x 100: smart_resize gives 196 x 112
    addCup(p);
    auto o = p.options("q25", {Task::RefDet});
    o.family = ModelFamily::Qwen25VL;
    exportDataset(p.store, o);
    const auto r = firstRecord(p.dir.file("q25/samtok.jsonl"));
    const std::string answer = r["conversations"][1]["value"];
    // [10, 40) x [10, 40): 10 * 196 / 200 = 9.8, 10 * 112 / 100 = 11.2, 40 * 0.98 = 39.2, 40 * 1.12 = 44.8.
    EXPECT_NE(answer.find("\"bbox_2d\":[10,11,39,45]"), std::string::npos) << answer;
    EXPECT_NE(slurp(p.dir.file("q25/README.md")).find("qwen2.5-vl (boxes in pixels"), std::string::npos);
}

TEST(ExportTargets, InternVLGetsRefAndBoxMarkupInGroundedCaptionsAndBoxes) {
    OnePhoto p;
    addCup(p);
    exportDataset(p.store, [&] {
        auto o = p.options("ivl", {Task::Gcg, Task::RefDet});
        o.target = Target::InternVL;
        return o;
    }());
    std::string all = slurp(p.dir.file("ivl/samtok.jsonl"));
    EXPECT_NE(all.find("<ref>A cup</ref><|mt_start|><|mt_0001|><|mt_0258|><|mt_end|> on a table."), std::string::npos)
        << all;
    EXPECT_EQ(all.find("object_ref"), std::string::npos);
    // The cup's box [10, 40) of 200 x 100 in 0..1000: 50, 100, 200, 400.
    EXPECT_NE(all.find("describes: <ref>the cup</ref>"), std::string::npos);
    EXPECT_NE(all.find("<ref>the cup</ref><box>[[50, 100, 200, 400]]</box>"), std::string::npos) << all;
    dataset::ValidationOptions v;
    v.target = Target::InternVL;
    EXPECT_TRUE(dataset::validateDataset(p.dir.file("ivl/samtok.jsonl"), v).issues.empty());
}

TEST(ExportTargets, SamTokRecordsNameImagesByFullPathsAndThePrefixMovesThem) {
    OnePhoto p;
    addCup(p);
    exportDataset(p.store, p.options("st"));
    const std::string image = firstRecord(p.dir.file("st/samtok.jsonl"))["image"];
    EXPECT_TRUE(fs::path(image).is_absolute()) << image;
    EXPECT_TRUE(fs::is_regular_file(image)) << image;  // the copy inside the export
    EXPECT_EQ(fs::path(image).parent_path().parent_path(), fs::path(p.dir.file("st")));

    auto o = p.options("moved");
    o.pathPrefix = "/data/exports/cups/";
    exportDataset(p.store, o);
    EXPECT_EQ(firstRecord(p.dir.file("moved/samtok.jsonl"))["image"], "/data/exports/cups/images/a.png");
    EXPECT_NE(slurp(p.dir.file("moved/qwenvl_dataset.py")).find("\"/data/exports/cups\""), std::string::npos);

    o.paths = PathPolicy::Absolute;
    EXPECT_THROW(exportDataset(p.store, o), UserError);
}

TEST(ExportTargets, TheInternVLMetaNamesItsFilesRelativeToTheExportSoItCanMove) {
    OnePhoto p;
    addCup(p);
    auto o = p.options("ivl");
    o.target = Target::InternVL;
    exportDataset(p.store, o);
    const auto meta = nlohmann::json::parse(slurp(p.dir.file("ivl/samtok_meta.json")));
    EXPECT_EQ(meta["samtok"]["root"], "./");
    EXPECT_EQ(meta["samtok"]["annotation"], "samtok.jsonl");
    EXPECT_NE(slurp(p.dir.file("ivl/train_internvl.sh")).find("cd \"$HERE\""), std::string::npos);

    fs::rename(p.dir.file("ivl"), p.dir.file("elsewhere"));  // moved: the validator still resolves every image
    dataset::ValidationOptions v;
    v.target = Target::InternVL;
    const auto r = dataset::validateDataset(p.dir.file("elsewhere/samtok.jsonl"), v);
    EXPECT_TRUE(r.issues.empty()) << r.issues.front().message;

    o.pathPrefix = "/mnt/train/ivl";
    o.outDir = p.dir.file("ivl2");
    exportDataset(p.store, o);
    const auto meta2 = nlohmann::json::parse(slurp(p.dir.file("ivl2/samtok_meta.json")));
    EXPECT_EQ(meta2["samtok"]["root"], "");  // the records carry the prefix themselves
    EXPECT_EQ(meta2["samtok"]["annotation"], "/mnt/train/ivl/samtok.jsonl");
    EXPECT_EQ(firstRecord(p.dir.file("ivl2/samtok.jsonl"))["image"], "/mnt/train/ivl/images/a.png");
    v.checkPaths = false;  // the images are not at the prefix yet; the meta file is still found by its name
    const auto r2 = dataset::validateDataset(p.dir.file("ivl2/samtok.jsonl"), v);
    EXPECT_TRUE(r2.issues.empty()) << r2.issues.front().message;
}

TEST(ExportTargets, EveryTargetGetsAnExecutableStartThatAddsTheTokensWhereItsTrainerDoesNot) {
    OnePhoto p;
    addCup(p);
    const std::map<Target, std::vector<std::string>> starts{
        {Target::SamTokJsonl, {"qwenvl_dataset.py", "train_qwenvl.sh"}},
        {Target::SamTokJson, {"qwenvl_dataset.py", "train_qwenvl.sh"}},
        {Target::LlamaFactory, {"train_llamafactory.yaml"}},
        {Target::Swift, {"sft_swift.sh"}},
        {Target::Llava, {"train_llava.sh"}},
        {Target::InternVL, {"train_internvl.sh"}}};
    for (const auto& [target, files] : starts) {
        SCOPED_TRACE(toString(target));
        auto o = p.options(toString(target));
        o.target = target;
        exportDataset(p.store, o);
        for (const auto& f : files) {
            const fs::path path = p.dir.file(std::string(toString(target)) + "/" + f);
            ASSERT_TRUE(fs::is_regular_file(path)) << f;
            const std::string text = slurp(path.string());
            if (path.extension() == ".sh") {
                EXPECT_NE(fs::status(path).permissions() & fs::perms::owner_exec, fs::perms::none);
                EXPECT_EQ(std::system(("bash -n '" + path.string() + "'").c_str()), 0) << text;
                const bool addsItself = target == Target::Swift;
                EXPECT_EQ(text.find("add_mask_tokens.py") != std::string::npos, !addsItself) << text;
            }
        }
        dataset::ValidationOptions v;
        v.target = target;
        const std::string records =
            std::string(toString(target)) + "/samtok" +
            (target == Target::LlamaFactory || target == Target::Llava || target == Target::SamTokJson ? ".json"
                                                                                                       : ".jsonl");
        const auto r = dataset::validateDataset(p.dir.file(records), v);
        EXPECT_TRUE(r.issues.empty()) << r.issues.front().message;
    }
    EXPECT_NE(slurp(p.dir.file("samtok-jsonl/qwenvl_dataset.py")).find("data_dict[\"samtok\"]"), std::string::npos);
    EXPECT_NE(slurp(p.dir.file("internvl/train_internvl.sh")).find("--meta_path \"$HERE/samtok_meta.json\""),
              std::string::npos);
}

TEST(ExportTargets, TheTokenScriptFollowsSamToksRecipe) {
    OnePhoto p;
    addCup(p);
    exportDataset(p.store, p.options("s"));
    const std::string py = slurp(p.dir.file("s/add_mask_tokens.py"));
    EXPECT_NE(py.find("special_tokens=False"), std::string::npos);
    EXPECT_NE(py.find("already has"), std::string::npos);  // refuses a model extended before
    EXPECT_NE(py.find("clamp(min=1e-3)"), std::string::npos);
    EXPECT_NE(py.find("0.02 * std"), std::string::npos);
}

TEST(ExportTargets, StartFilesQuoteAPathWithSpacesAndAHash) {
    OnePhoto p;
    addCup(p);
    auto o = p.options("lf");
    o.target = Target::LlamaFactory;
    o.pathPrefix = "/data/set #2";  // unquoted, YAML would read "/data/set" and a comment
    exportDataset(p.store, o);
    EXPECT_NE(slurp(p.dir.file("lf/train_llamafactory.yaml")).find("dataset_dir: \"/data/set #2\"\n"),
              std::string::npos);
    o.target = Target::SamTokJsonl;
    o.outDir = p.dir.file("st");
    exportDataset(p.store, o);
    EXPECT_NE(slurp(p.dir.file("st/qwenvl_dataset.py")).find("_os.environ.get(\"SAMTOK_EXPORT\", \"/data/set #2\")"),
              std::string::npos);
    o.name = "a b";
    EXPECT_THROW(exportDataset(p.store, o), UserError);  // names go into scripts: letters, digits, . _ - only
}
