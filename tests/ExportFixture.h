// The small project the MLLM export tests share, whose content is known, and
// readers for what an export writes.
#pragma once

#include "TestMasks.h"
#include "TestPaths.h"
#include "export/Export.h"
#include "export/Samples.h"
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"
#include "tokens/TokenText.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace samtok::test {

inline std::string tok(int c0, int c1) {
    return formatMaskTokens({c0, c1});
}

// Image a.png (200x100, done): left cup r1 (tokens 1 2), right cup r2 (3 4),
// table r3 (5 6, a poor IoU 0.3); image b.png (80x60, unlabelled): table r4 (7 8).
struct ExportFixture {
    TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "fixture");
    RowId r1 = 0, r2 = 0, r3 = 0, r4 = 0, tokenizer = 0, imageA = 0, imageB = 0;

    ExportFixture() {
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

    exporter::ExportOptions options(exporter::Target target = exporter::Target::SamTokJsonl,
                                    const std::string& out = "out") const {
        exporter::ExportOptions o;
        o.target = target;
        o.outDir = dir.file(out);
        o.tokenizerId = tokenizer;
        o.tokenizeCrop = [](const cv::Mat&, const Mask&) { return TokenPair{9, 10}; };
        return o;
    }
};

inline std::vector<nlohmann::json> records(const std::filesystem::path& file) {
    std::vector<nlohmann::json> out;
    if (file.extension() == ".jsonl") {
        std::ifstream in(file);
        for (std::string l; std::getline(in, l);)
            if (!l.empty()) out.push_back(nlohmann::json::parse(l));
    } else {
        for (auto& r : nlohmann::json::parse(slurp(file))) out.push_back(r);
    }
    return out;
}

// The record whose first user turn contains `needle`.
inline const nlohmann::json* findRecord(const std::vector<nlohmann::json>& rs, const std::string& needle) {
    for (const auto& r : rs) {
        const auto& turns = r.contains("conversations") ? r["conversations"] : r["messages"];
        const auto& first = turns[0].contains("value") ? turns[0]["value"] : turns[0]["content"];
        if (first.get<std::string>().find(needle) != std::string::npos) return &r;
    }
    return nullptr;
}

inline std::string answerJson(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string s = "```json\n[";
    for (std::size_t i = 0; i < items.size(); ++i)
        s += (i ? ", " : "") + std::string("{\"mask_2d\": \"") + items[i].first + "\", \"label\": \"" +
             items[i].second + "\"}";
    return s + "]\n```";
}

}  // namespace samtok::test
