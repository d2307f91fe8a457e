// The MLLM export's records, task by task and field by field, on the small
// project of ExportFixture.h whose content is known.
#include "ExportFixture.h"
#include "dataset/Validator.h"
#include "export/ZoomCrop.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace samtok;
using namespace samtok::exporter;
using namespace samtok::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(Export, ReferringAndGresRecordsNameTheirTargetsLeftToRightAndCountEachTask) {
    ExportFixture f;
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
}

TEST(Export, GcgCaptionAndVqaRecordsCarryTheirRegionsTokensAndPassTheCheck) {
    ExportFixture f;
    exportDataset(f.store, f.options());
    const auto rs = records(f.dir.path() / "out/samtok.jsonl");
    ASSERT_EQ(rs.size(), 11u);
    const std::string out = fs::absolute(f.dir.path() / "out").lexically_normal().generic_string() + "/";

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
