#pragma once
// One 200 x 100 photo in a fresh project, for export tests.
#include "TestMasks.h"
#include "TestPaths.h"
#include "export/Export.h"
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <optional>
#include <string>

namespace samtok::test {

constexpr const char* kPlainConfig = R"({"quantizer": {"codebook_size": 256}})";

// One 200 x 100 photo in a fresh project, a tokenizer, and regions added with their tokens.
struct OnePhoto {
    test::TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    RowId image = 0, tokenizer = 0;

    explicit OnePhoto(const std::string& tokenizerConfig = kPlainConfig, const std::string& tokenizerName = "t") {
        cv::imwrite(dir.file("a.png"), cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120)));
        image = store.addImage({dir.file("a.png"), 200, 100, std::string(64, 'a')});
        tokenizer = store.registerTokenizer({0, tokenizerName, tokenizerConfig, std::string(64, 'c')});
    }
    // A rectangle [x0, x1) x [y0, y1) with tokens (1, 2), an optional class and an optional expression.
    RowId add(int x0, int y0, int x1, int y1, std::optional<RowId> cls = std::nullopt,
              const std::string& expression = {}) {
        Annotation a;
        a.imageId = image;
        a.classId = cls;
        a.mask = rle::encode(rectMask(100, 200, x0, y0, x1, y1));
        const RowId id = store.addAnnotation(a);
        if (!expression.empty()) store.addReferringExpression(id, expression);
        store.setTokens({id, tokenizer, {1, 2}, 0.9, 0});
        return id;
    }
    exporter::ExportOptions options(const std::string& out,
                                    std::vector<exporter::Task> tasks = {exporter::Task::RefSeg}) const {
        exporter::ExportOptions o;
        o.outDir = dir.file(out);
        o.tokenizerId = tokenizer;
        o.tasks = std::move(tasks);
        return o;
    }
};

}  // namespace samtok::test
