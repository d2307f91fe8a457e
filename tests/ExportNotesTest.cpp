// An export never leaves regions out silently: what no record could use is
// counted, and named in the report's notes and the dataset's README.
#include "TestMasks.h"
#include "TestPaths.h"
#include "export/Export.h"
#include "store/ProjectStore.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

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
