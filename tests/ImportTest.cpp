// Importing annotations: COCO (polygons, both RLE forms, crowd), LabelMe and
// YOLO-seg from the shared examples, re-import without duplicates, per-record
// errors with positions, and nothing saved from a file that cannot be read.
#include "TestPaths.h"
#include "dataset/Import.h"
#include "dataset/YoloSeg.h"
#include "mask/CocoRle.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>

using namespace samtok;
using samtok::test::TempDir;

namespace {
const auto kLabelme = samtok::test::sharedDir() / "data/labelme-examples/examples/instance_segmentation";
}

TEST(Import, CocoFromTheLabelmeExamplesAndAgainWithoutDuplicates) {
    TempDir dir;
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto json = (kLabelme / "data_dataset_coco/annotations.json").string();
    const auto first = dataset::importCoco(store, json, (kLabelme / "data_dataset_coco").string());
    EXPECT_TRUE(first.skipped.empty()) << first.skipped[0];
    EXPECT_EQ(first.imagesAdded, 3);
    EXPECT_EQ(first.annotationsAdded, 12);
    EXPECT_EQ(store.annotationCount(), 12);
    EXPECT_GE(store.classes().size(), 3u);
    const auto again = dataset::importCoco(store, json, (kLabelme / "data_dataset_coco").string());
    EXPECT_EQ(again.annotationsAdded, 0);
    EXPECT_EQ(again.duplicates, 12);
    EXPECT_EQ(again.imagesKnown, 3);
    EXPECT_EQ(store.annotationCount(), 12);
}

TEST(Import, CocoRleIsKeptByteForByteCrowdIsSkippedBadRecordsAreNamed) {
    TempDir dir;
    cv::Mat image(40, 60, CV_8UC3, cv::Scalar(10, 20, 30));
    cv::imwrite(dir.file("a.png"), image);
    Mask m(40, 60);
    for (int y = 5; y < 30; ++y)
        for (int x = 10 + y % 3; x < 50; ++x) m.set(y, x, true);
    const Rle r = rle::encode(m);
    Mask m2(40, 60);
    for (int y = 0; y < 10; ++y) m2.set(y, y, true);
    const Rle r2 = rle::encode(m2);
    nlohmann::json j{
        {"images", {{{"id", 7}, {"file_name", "a.png"}, {"width", 60}, {"height", 40}}}},
        {"categories", {{{"id", 3}, {"name", "thing"}}}},
        {"annotations",
         {{{"id", 1},
           {"image_id", 7},
           {"category_id", 3},
           {"iscrowd", 0},
           {"segmentation", {{"size", {40, 60}}, {"counts", rle::toString(r)}}}},
          {{"id", 2},
           {"image_id", 7},
           {"category_id", 3},
           {"iscrowd", 0},
           {"segmentation", {{"size", {40, 60}}, {"counts", r2.counts}}}},
          {{"id", 3},
           {"image_id", 7},
           {"category_id", 3},
           {"iscrowd", 1},
           {"segmentation", {{"size", {40, 60}}, {"counts", r.counts}}}},
          {{"id", 4}, {"image_id", 99}, {"category_id", 3}, {"segmentation", {{1, 1, 5, 1, 5, 5}}}},
          {{"id", 5}, {"image_id", 7}, {"category_id", 3}, {"segmentation", {{"size", {60, 40}}, {"counts", "0"}}}}}}};
    std::ofstream(dir.file("a.json")) << j.dump();
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto rep = dataset::importCoco(store, dir.file("a.json"), dir.path().string());
    EXPECT_EQ(rep.annotationsAdded, 2);
    EXPECT_EQ(rep.crowdSkipped, 1);
    ASSERT_EQ(rep.skipped.size(), 2u);
    EXPECT_NE(rep.skipped[0].find("annotations[3] (id 4): image_id 99 is not in 'images'"), std::string::npos)
        << rep.skipped[0];
    EXPECT_NE(rep.skipped[1].find("(size is [height, width])"), std::string::npos) << rep.skipped[1];
    const auto anns = store.annotationsForImage(store.images()[0].id);
    ASSERT_EQ(anns.size(), 2u);
    EXPECT_EQ(rle::toString(anns[0].mask), rle::toString(r));
    EXPECT_EQ(anns[1].mask, r2);

    // A file that is not JSON saves nothing.
    std::ofstream(dir.file("bad.json")) << "{\"images\": [";
    EXPECT_THROW(dataset::importCoco(store, dir.file("bad.json"), dir.path().string()), FormatError);
    EXPECT_EQ(store.annotationCount(), 2);
}

// Found by the mutation tests: a file of the wrong shape, or points far off
// the image, once escaped as the JSON library's bare message or ran the
// rasterizer out of memory.
TEST(Import, AWronglyShapedFileIsRefusedByNameAndAWildPolygonSkippedByPosition) {
    TempDir dir;
    cv::imwrite(dir.file("a.png"), cv::Mat(40, 60, CV_8UC3, cv::Scalar(10, 20, 30)));
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto refusal = [&](const nlohmann::json& j) {
        std::ofstream(dir.file("odd.json")) << j.dump();
        try {
            dataset::importCoco(store, dir.file("odd.json"), dir.path().string());
        } catch (const FormatError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    const nlohmann::json image{{"id", 7}, {"file_name", "a.png"}, {"width", 60}, {"height", 40}};
    EXPECT_NE(refusal({{"images", 5}, {"annotations", nlohmann::json::array()}}).find("odd.json"), std::string::npos);
    EXPECT_NE(refusal({{"images", {image}}, {"annotations", true}}).find("must be lists"), std::string::npos);
    std::ofstream(dir.file("big.json")) << R"({"images": [], "annotations": [], "x": 1e999})";
    EXPECT_THROW(dataset::importCoco(store, dir.file("big.json"), dir.path().string()), FormatError);

    const nlohmann::json j{
        {"images", {image}},
        {"categories", {{{"id", 3}, {"name", "thing"}}, {{"name", "no id"}}}},
        {"annotations",
         {{{"id", 1}, {"image_id", 7}, {"category_id", 3}, {"segmentation", {{10, 10, 30, 10, 30, 30}}}},
          {{"id", 2}, {"image_id", 7}, {"category_id", 3}, {"segmentation", {{10, 10, 1e12, 10, 30, 30}}}}}}};
    std::ofstream(dir.file("a.json")) << j.dump();
    const auto rep = dataset::importCoco(store, dir.file("a.json"), dir.path().string());
    EXPECT_EQ(rep.annotationsAdded, 1);
    ASSERT_EQ(rep.skipped.size(), 2u);
    EXPECT_NE(rep.skipped[0].find("a.json: categories[1]"), std::string::npos) << rep.skipped[0];
    EXPECT_NE(rep.skipped[1].find("annotations[1] (id 2): polygon point 1"), std::string::npos) << rep.skipped[1];
    EXPECT_NE(rep.skipped[1].find("far outside the 60x40 image"), std::string::npos) << rep.skipped[1];

    // LabelMe: an imagePath that is not a string, or empty, is named as such.
    std::ofstream(dir.file("l.json")) << R"({"shapes": [], "imagePath": 3})";
    EXPECT_THROW(dataset::importLabelMe(store, dir.file("l.json")), FormatError);
    std::ofstream(dir.file("l.json")) << R"({"shapes": [], "imagePath": ""})";
    try {
        dataset::importLabelMe(store, dir.file("l.json"));
        ADD_FAILURE() << "accepted an empty imagePath";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("l.json': its imagePath is empty"), std::string::npos) << e.what();
    }
    EXPECT_EQ(store.annotationCount(), 1);
}

TEST(Import, APolygonSquareCoversItsPixels) {
    // No pycocotools polygon vectors are in ../shared/golden: this checks the shape, not bit parity.
    const Rle r = dataset::rleFromPolygon({10, 10, 20, 10, 20, 20, 10, 20}, 30, 30);
    const Mask m = rle::decode(r);
    EXPECT_TRUE(m.at(10, 10));
    EXPECT_TRUE(m.at(19, 19));
    EXPECT_FALSE(m.at(9, 15));
    EXPECT_FALSE(m.at(15, 9));
    EXPECT_GE(rle::area(r), 100u);
    EXPECT_LE(rle::area(r), 121u);
}

TEST(Import, LabelmeFilesWithTheirImages) {
    TempDir dir;
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    dataset::ImportReport total;
    for (const char* f : {"2011_000003.json", "2011_000006.json", "2011_000025.json"})
        total.add(dataset::importLabelMe(store, (kLabelme / "data_annotated" / f).string()));
    EXPECT_TRUE(total.skipped.empty()) << total.skipped[0];
    EXPECT_EQ(total.imagesAdded, 3);
    EXPECT_GT(total.annotationsAdded, 10);
    const auto again = dataset::importLabelMe(store, (kLabelme / "data_annotated/2011_000003.json").string());
    EXPECT_EQ(again.annotationsAdded, 0);
    EXPECT_GT(again.duplicates, 0);
}

TEST(Import, YoloSegOfCoco128) {
    TempDir dir;
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto root = samtok::test::sharedDir() / "data/coco128-seg/coco128-seg";
    const auto image = (root / "images/train2017/000000000009.jpg").string();
    const auto label = (root / "labels/train2017/000000000009.txt").string();
    const auto lines = readYoloSegLabels(label, 640, 480);
    const auto rep = dataset::importYoloSeg(store, image, label, {});
    EXPECT_TRUE(rep.skipped.empty());
    EXPECT_EQ(rep.annotationsAdded, static_cast<int>(lines.size()));
    EXPECT_EQ(store.classes().front().name.rfind("class ", 0), 0u);
}
