// Sources too large for a project: a COCO file or an SA-1B folder tokenized in shards and exported from the shard
// files alone, with the records a project import of the same file gives; a project exported with its shard tokens
// without being changed; records written in parts of a set size.
#include "CliRun.h"
#include "TestPaths.h"
#include "TinyCoco.h"
#include "TokenRows.h"
#include "mask/CocoRle.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

using namespace samtok;
using nlohmann::json;
using samtok::test::rectMask;
using samtok::test::rleOf;
using samtok::test::runCli;
using samtok::test::TempDir;
using samtok::test::writeCoco;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> sortedLines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::vector<json> shardLines(const std::string& dir) {
    std::vector<json> lines;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::ifstream in(e.path());
        for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
    }
    return lines;
}

std::string sourceShard(const TempDir& dir, int k, int n, const std::string& out = "shards") {
    const auto r = runCli("tokenize " + dir.file("instances.json") + " --images " + dir.file("img") + " --shard " +
                          std::to_string(k) + "/" + std::to_string(n) + " --out " + dir.file(out) + " --threads 1");
    EXPECT_EQ(r.code, 0) << r.out;
    return r.out;
}

}  // namespace

TEST(SourceShards, ACocoFileTokenizedInThreeShardsExportsTheRecordsOfItsImportedAndTokenizedProject) {
    TempDir dir;
    writeCoco(dir);
    for (int k = 0; k < 3; ++k) sourceShard(dir, k, 3);
    auto r = runCli("export mllm --shards " + dir.file("shards") + " " + dir.file("from-shards") +
                    " --tasks refseg,gres --paths absolute");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("12 region(s) with tokens"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir.file("from-shards.scratch.samtok")));  // the scratch project is gone

    const std::string p = dir.file("p.samtok");
    ASSERT_EQ(runCli("project init " + p).code, 0);
    ASSERT_EQ(runCli("import coco " + p + " " + dir.file("instances.json") + " --images " + dir.file("img")).code, 0);
    ASSERT_EQ(runCli("tokenize " + p + " --threads 1").code, 0);
    r = runCli("export mllm " + p + " " + dir.file("from-project") + " --tasks refseg,gres --paths absolute");
    ASSERT_EQ(r.code, 0) << r.out;
    const auto records = sortedLines(dir.file("from-shards/samtok.jsonl"));
    EXPECT_EQ(records.size(), 12u) << "one refseg record per named region";
    EXPECT_EQ(records, sortedLines(dir.file("from-project/samtok.jsonl")));

    // Every region carries its COCO id and class; each image is in exactly one shard.
    std::set<long long> ids;
    std::multiset<std::string> keys;
    for (const json& l : shardLines(dir.file("shards")))
        if (l.contains("key")) {
            keys.insert(l["key"].get<std::string>());
            for (const auto& g : l["regions"]) {
                ids.insert(g["id"].get<long long>());
                EXPECT_EQ(g["label"], g["id"].get<long long>() % 2 ? "disc" : "square");
            }
        }
    EXPECT_EQ(keys.size(), 6u);
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 6u);
    EXPECT_EQ(ids.size(), 12u);
    EXPECT_EQ(*ids.begin(), 1000);
}

TEST(SourceShards, ASourceShardCutMidLineResumesToTheSameFileAndAFinishedOneDoesNothing) {
    TempDir dir;
    writeCoco(dir);
    sourceShard(dir, 0, 1, "whole");
    const fs::path whole = *fs::directory_iterator(dir.file("whole"));
    std::ifstream in(whole);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    // Killed while writing its fourth image: three whole lines after the header, and half of the next.
    std::size_t cut = 0;
    for (int n = 0; n < 4; ++n) cut = text.find('\n', cut) + 1;
    fs::create_directories(dir.file("cut"));
    const fs::path torn = fs::path(dir.file("cut")) / whole.filename();
    std::ofstream(torn) << text.substr(0, cut + 40);
    const std::string out = sourceShard(dir, 0, 1, "cut");
    EXPECT_NE(out.find("3 from an earlier run"), std::string::npos) << out;
    std::ifstream back(torn);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(back)), {}), text);
    EXPECT_NE(sourceShard(dir, 0, 1, "cut").find("finished already"), std::string::npos);
}

TEST(SourceShards, ASourceWithoutShardIsRefusedAndAFolderWithAProjectNamesIt) {
    TempDir dir;
    writeCoco(dir);
    auto r = runCli("tokenize " + dir.file("instances.json"));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("is an annotation source"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--shard K/N --out DIR"), std::string::npos) << r.out;
    // What `samtok project sample DIR` makes: a folder with the project inside. The user meant the project.
    fs::create_directories(dir.file("sample"));
    ASSERT_EQ(runCli("project init " + dir.file("sample/sample.samtok")).code, 0);
    r = runCli("tokenize " + dir.file("sample"));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("did you mean '" + dir.file("sample/sample.samtok") + "'"), std::string::npos) << r.out;
    ASSERT_EQ(runCli("project init " + dir.file("sample/other.samtok")).code, 0);
    r = runCli("tokenize " + dir.file("sample"));
    EXPECT_NE(r.out.find("it holds '" + dir.file("sample/other.samtok") + "', '" + dir.file("sample/sample.samtok")),
              std::string::npos)
        << r.out;
}

TEST(SourceShards, AnSa1bFolderIsShardedByFileAndKeepsItsAnnotationIds) {
    TempDir dir;
    fs::create_directories(dir.file("sa1b"));
    for (int i = 0; i < 4; ++i) {
        const std::string stem = "sa_" + std::to_string(i + 1);
        cv::Mat bgr(64, 80, CV_8UC3, cv::Scalar(30 * i, 120, 200));
        cv::rectangle(bgr, {10, 10, 30, 20}, cv::Scalar(0, 0, 0), -1);
        cv::imwrite(dir.file("sa1b/" + stem + ".jpg"), bgr);
        json j{{"image", {{"image_id", i + 1}, {"file_name", stem + ".jpg"}, {"width", 80}, {"height", 64}}},
               {"annotations",
                {{{"id", 500 + i}, {"segmentation", rleOf(rectMask(64, 80, 10, 10, 40, 30))}},
                 {{"id", 600 + i}, {"segmentation", rleOf(rectMask(64, 80, 50, 30, 70, 60))}}}}};
        std::ofstream(dir.file("sa1b/" + stem + ".json")) << j.dump();
    }
    for (int k = 0; k < 2; ++k) {
        const auto r = runCli("tokenize " + dir.file("sa1b") + " --shard " + std::to_string(k) + "/2 --out " +
                              dir.file("shards") + " --threads 1");
        ASSERT_EQ(r.code, 0) << r.out;
    }
    std::set<long long> ids;
    for (const json& l : shardLines(dir.file("shards")))
        for (const auto& g : l.value("regions", json::array())) {
            ids.insert(g["id"].get<long long>());
            EXPECT_EQ(g["label"], "");  // SA-1B has no classes
        }
    EXPECT_EQ(ids, (std::set<long long>{500, 501, 502, 503, 600, 601, 602, 603}));
    // Unnamed regions make no record: said, not an error.
    const auto r = runCli("export mllm --shards " + dir.file("shards") + " " + dir.file("exp"));
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("8 region(s) are in no record"), std::string::npos) << r.out;
    // Source shards are not a project's: merge says what to do instead.
    ASSERT_EQ(runCli("project init " + dir.file("p.samtok")).code, 0);
    const auto m = runCli("tokens merge " + dir.file("p.samtok") + " " + dir.file("shards"));
    EXPECT_EQ(m.code, 1);
    EXPECT_NE(m.out.find("not from a project: export it with `samtok export mllm --shards"), std::string::npos)
        << m.out;
}

TEST(SourceShards, AProjectExportsWithItsShardTokensAndStaysUnchanged) {
    TempDir dir;
    ASSERT_EQ(runCli("project sample " + dir.file("s")).code, 0);
    const std::string p = dir.file("s/sample.samtok");
    for (int k = 0; k < 2; ++k)
        ASSERT_EQ(runCli("tokenize " + p + " --shard " + std::to_string(k) + "/2 --out " + dir.file("shards") +
                         " --threads 1")
                      .code,
                  0);
    auto r = runCli("export mllm " + p + " " + dir.file("a") + " --shards " + dir.file("shards") + " --paths absolute");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(test::tokenRows(p).empty()) << "the project itself is not changed";
    // Without a project, a project's shards are refused by name.
    r = runCli("export mllm --shards " + dir.file("shards") + " " + dir.file("c"));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("was tokenized from a project"), std::string::npos) << r.out;
    // The same records as after merging them in.
    ASSERT_EQ(runCli("tokens merge " + p + " " + dir.file("shards")).code, 0);
    r = runCli("export mllm " + p + " " + dir.file("b") + " --paths absolute");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(sortedLines(dir.file("a/samtok.jsonl")), sortedLines(dir.file("b/samtok.jsonl")));
    EXPECT_FALSE(sortedLines(dir.file("a/samtok.jsonl")).empty());
}

TEST(SourceShards, RecordsInPartsOfASetSizeAreAllRegisteredAndOtherTargetsRefuseThem) {
    TempDir dir;
    writeCoco(dir);
    sourceShard(dir, 0, 1);
    auto r = runCli("export mllm --shards " + dir.file("shards") + " " + dir.file("exp") +
                    " --tasks refseg --records-per-file 5 --val 0.3");
    ASSERT_EQ(r.code, 0) << r.out;
    std::size_t total = 0, parts = 0;
    std::ifstream reg(dir.file("exp/qwenvl_dataset.py"));
    const std::string registry((std::istreambuf_iterator<char>(reg)), {});
    for (const auto& e : fs::directory_iterator(dir.file("exp"))) {
        const std::string name = e.path().filename().string();
        if (name.rfind("samtok_", 0) != 0 || e.path().extension() != ".jsonl") continue;
        parts += name.find("-of-") != std::string::npos;
        const auto lines = sortedLines(e.path().string());
        EXPECT_LE(lines.size(), 5u) << name;
        total += lines.size();
        EXPECT_NE(registry.find("\"" + name + "\""), std::string::npos) << name << " is not registered";
    }
    EXPECT_EQ(total, 12u);
    EXPECT_GE(parts, 2u);  // the train split at least is in parts
    r = runCli("export mllm --shards " + dir.file("shards") + " " + dir.file("llava") +
               " --tasks refseg --records-per-file 5 --target llava");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("are for the samtok-jsonl and samtok-json targets"), std::string::npos) << r.out;
}
