// The other import sources: RefCOCO refs pickles (protocols 0 and 2, read
// without Python, hostile ones refused), gRefCOCO multi- and no-target
// expressions, SA-1B per-image JSON, Pascal VOC PNGs and image + mask folders
// (DAVIS from the shared data); re-importing adds nothing.
#include "TestMasks.h"
#include "TestPaths.h"
#include "dataset/Import.h"
#include "dataset/PickleData.h"
#include "mask/CocoRle.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

using namespace samtok;
using nlohmann::json;
using samtok::test::rectMask;
using samtok::test::TempDir;
namespace fs = std::filesystem;

namespace {

const fs::path kData = SAMTOK_TEST_DATA;

// One 80x60 image with a square (COCO ann 101) on the left and a box (102) on the right.
json writeInstances(const TempDir& dir) {
    cv::imwrite(dir.file("COCO_train2014_000000000001.jpg"), cv::Mat(60, 80, CV_8UC3, cv::Scalar(90, 120, 30)));
    cv::imwrite(dir.file("COCO_train2014_000000000002.jpg"), cv::Mat(60, 80, CV_8UC3, cv::Scalar(10, 20, 200)));
    auto seg = [](const Mask& m) {
        return json{{"size", {m.height(), m.width()}}, {"counts", rle::toString(rle::encode(m))}};
    };
    json j{{"images",
            {{{"id", 1}, {"file_name", "COCO_train2014_000000000001.jpg"}, {"width", 80}, {"height", 60}},
             {{"id", 2}, {"file_name", "COCO_train2014_000000000002.jpg"}, {"width", 80}, {"height", 60}}}},
           {"categories", {{{"id", 1}, {"name", "square"}}, {{"id", 2}, {"name", "disc"}}}},
           {"annotations",
            {{{"id", 101},
              {"image_id", 1},
              {"category_id", 1},
              {"iscrowd", 0},
              {"segmentation", seg(rectMask(60, 80, 5, 5, 25, 25))}},
             {{"id", 102},
              {"image_id", 1},
              {"category_id", 2},
              {"iscrowd", 0},
              {"segmentation", seg(rectMask(60, 80, 50, 10, 75, 40))}},
             {{"id", 103},
              {"image_id", 1},
              {"category_id", 2},
              {"iscrowd", 0},
              {"segmentation", seg(rectMask(60, 80, 40, 45, 60, 58))}},
             {{"id", 201},
              {"image_id", 2},
              {"category_id", 1},
              {"iscrowd", 0},
              {"segmentation", seg(rectMask(60, 80, 0, 0, 9, 9))}}}}};
    std::ofstream(dir.file("instances.json")) << j.dump();
    return j;
}

RowId annotationWithBoxX(const ProjectStore& s, int x) {
    for (const auto& im : s.images())
        for (const auto& a : s.annotationsForImage(im.id))
            if (a.bbox.x == x) return a.id;
    return 0;
}

}  // namespace

TEST(PickleData, ReadsRefCocoPicklesOfProtocolZeroAndTwo) {
    for (const char* name : {"refs_protocol0.p", "refs_protocol2.p"}) {
        const json refs = dataset::readPickleDataFile((kData / name).string());
        ASSERT_TRUE(refs.is_array()) << name;
        ASSERT_EQ(refs.size(), 2u) << name;
        EXPECT_EQ(refs[0]["ann_id"], 101) << name;
        EXPECT_EQ(refs[0]["split"], "train") << name;
        EXPECT_EQ(refs[0]["sentences"][1]["sent"], "red box") << name;
        EXPECT_EQ(refs[1]["sentences"][0]["tokens"][1], "disc") << name;
    }
}

TEST(PickleData, RefusesObjectsTruncationAndGarbageWithTheOffset) {
    try {
        dataset::readPickleDataFile((kData / "hostile_refs.p").string());
        FAIL() << "a GLOBAL was accepted";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("byte 0"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("Python object"), std::string::npos) << e.what();
    }
    std::ifstream in(kData / "refs_protocol2.p", std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    bytes.resize(bytes.size() / 2);
    EXPECT_THROW(dataset::readPickleData(bytes, "half"), FormatError);
    EXPECT_THROW(dataset::readPickleData({'x', 'y', 'z'}, "garbage"), FormatError);
    // A REDUCE hidden after plain data is refused too.
    EXPECT_THROW(dataset::readPickleData({0x80, 0x02, ']', 'N', 'N', 'R', '.'}, "reduce"), FormatError);
}

TEST(ImportReferring, RefCocoSentencesBecomeExpressionsOfTheirRegionAndReimportAddsNothing) {
    TempDir dir;
    writeInstances(dir);
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r = dataset::importRefCoco(store, (kData / "refs_protocol2.p").string(), dir.file("instances.json"),
                                          dir.path().string(), "train");
    EXPECT_TRUE(r.skipped.empty()) << r.skipped[0];
    EXPECT_EQ(r.imagesAdded, 1);  // only the image of the train refs
    EXPECT_EQ(r.annotationsAdded, 3);
    EXPECT_EQ(r.expressionsAdded, 2);
    EXPECT_EQ(store.referringExpressions(annotationWithBoxX(store, 5)),
              (std::vector<std::string>{"the left square", "red box"}));
    EXPECT_TRUE(store.referringExpressions(annotationWithBoxX(store, 50)).empty());

    const auto all = dataset::importRefCoco(store, (kData / "refs_protocol0.p").string(), dir.file("instances.json"),
                                            dir.path().string());
    EXPECT_EQ(all.expressionsAdded, 1);  // the val ref; the train ones are known
    EXPECT_EQ(all.annotationsAdded, 0);
    EXPECT_EQ(store.referringExpressions(annotationWithBoxX(store, 50)),
              (std::vector<std::string>{"the disc on the right"}));
    EXPECT_THROW(dataset::importRefCoco(store, (kData / "hostile_refs.p").string(), dir.file("instances.json"),
                                        dir.path().string()),
                 FormatError);
}

TEST(ImportReferring, GRefCocoKeepsSeveralTargetsAndNoTarget) {
    TempDir dir;
    writeInstances(dir);
    const json grefs = json::array({
        {{"ref_id", 0},
         {"image_id", 1},
         {"split", "train"},
         {"ann_id", {102, 103}},
         {"no_target", false},
         {"sentences", {{{"sent", "both discs"}}}}},
        {{"ref_id", 1},
         {"image_id", 1},
         {"split", "train"},
         {"ann_id", {-1}},
         {"no_target", true},
         {"sentences", {{{"sent", "the green triangle"}}}}},
        {{"ref_id", 2},
         {"image_id", 2},
         {"split", "train"},
         {"ann_id", 999},
         {"no_target", false},
         {"sentences", {{{"sent", "a region that is not there"}}}}},
    });
    std::ofstream(dir.file("grefs(unc).json")) << grefs.dump();
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r =
        dataset::importGRefCoco(store, dir.file("grefs(unc).json"), dir.file("instances.json"), dir.path().string());
    ASSERT_EQ(r.skipped.size(), 1u);
    EXPECT_NE(r.skipped[0].find("ann_id 999"), std::string::npos) << r.skipped[0];
    EXPECT_EQ(r.expressionsAdded, 2);
    const auto image = store.images().front().id;
    const auto e = store.imageExpressions(image);
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].text, "both discs");
    EXPECT_EQ(e[0].targets.size(), 2u);
    EXPECT_EQ(e[1].text, "the green triangle");
    EXPECT_TRUE(e[1].targets.empty());
    const auto again =
        dataset::importGRefCoco(store, dir.file("grefs(unc).json"), dir.file("instances.json"), dir.path().string());
    EXPECT_EQ(again.expressionsAdded, 0);
}

TEST(ImportMasks, Sa1bJsonGivesUnlabelledRegions) {
    TempDir dir;
    cv::imwrite(dir.file("sa_1.jpg"), cv::Mat(60, 80, CV_8UC3, cv::Scalar(1, 2, 3)));
    const Mask a = rectMask(60, 80, 3, 4, 30, 40), b = rectMask(60, 80, 40, 0, 80, 60);
    auto ann = [](const Mask& m, int id) {
        const Rle r = rle::encode(m);
        return json{{"id", id},
                    {"segmentation", {{"size", {60, 80}}, {"counts", rle::toString(r)}}},
                    {"area", rle::area(r)},
                    {"predicted_iou", 0.9},
                    {"stability_score", 0.95},
                    {"point_coords", {{10, 10}}}};
    };
    std::ofstream(dir.file("sa_1.json")) << json{
        {"image", {{"image_id", 1}, {"width", 80}, {"height", 60}, {"file_name", "sa_1.jpg"}}},
        {"annotations", {ann(a, 1), ann(b, 2)}}}.dump();
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r = dataset::importSa1b(store, dir.file("sa_1.json"), dir.path().string());
    EXPECT_EQ(r.annotationsAdded, 2);
    const auto anns = store.annotationsForImage(store.images().front().id);
    ASSERT_EQ(anns.size(), 2u);
    EXPECT_EQ(rle::decode(anns[0].mask), a);
    EXPECT_FALSE(anns[0].classId.has_value());
    EXPECT_EQ(dataset::importSa1b(store, dir.file("sa_1.json"), dir.path().string()).annotationsAdded, 0);
}

TEST(ImportMasks, VocInstancesTakeTheClassUnderThemAndVoidIsIgnored) {
    TempDir dir;
    for (const char* sub : {"JPEGImages", "SegmentationObject", "SegmentationClass", "ImageSets/Segmentation"})
        fs::create_directories(dir.path() / sub);
    cv::imwrite(dir.file("JPEGImages/2007_000001.jpg"), cv::Mat(50, 70, CV_8UC3, cv::Scalar(5, 6, 7)));
    cv::Mat obj(50, 70, CV_8U, cv::Scalar(0)), cls(50, 70, CV_8U, cv::Scalar(0));
    cv::rectangle(obj, {5, 5}, {20, 30}, 1, -1);
    cv::rectangle(cls, {5, 5}, {20, 30}, 15, -1);  // person
    cv::rectangle(obj, {30, 10}, {60, 40}, 2, -1);
    cv::rectangle(cls, {30, 10}, {60, 40}, 12, -1);  // dog
    cv::rectangle(obj, {4, 4}, {21, 31}, 255, 1);    // the void border
    cv::rectangle(cls, {4, 4}, {21, 31}, 255, 1);
    cv::imwrite(dir.file("SegmentationObject/2007_000001.png"), obj);
    cv::imwrite(dir.file("SegmentationClass/2007_000001.png"), cls);
    std::ofstream(dir.file("ImageSets/Segmentation/train.txt")) << "2007_000001\n";
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r = dataset::importVoc(store, dir.path().string(), "train");
    EXPECT_TRUE(r.skipped.empty()) << r.skipped[0];
    EXPECT_EQ(r.annotationsAdded, 2);
    std::map<RowId, std::string> names;
    for (const auto& c : store.classes()) names[c.id] = c.name;
    const auto anns = store.annotationsForImage(store.images().front().id);
    ASSERT_EQ(anns.size(), 2u);
    EXPECT_EQ(names[*anns[0].classId], "person");
    EXPECT_EQ(anns[0].area, 16u * 26u);  // the void border is not part of it
    EXPECT_EQ(names[*anns[1].classId], "dog");
    EXPECT_THROW(dataset::importVoc(store, dir.path().string(), "val"), UserError);  // no val.txt
}

TEST(ImportMasks, DavisFolderOfPaletteMasksGivesOneRegionPerObject) {
    const auto davis = samtok::test::sharedDir() / "data/davis2017-firstframes/data/DAVIS";
    TempDir dir;
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r = dataset::importMaskFolder(store, (davis / "JPEGImages/480p").string(),
                                             (davis / "Annotations/2017").string(), {true, -1, "object"});
    EXPECT_TRUE(r.skipped.empty()) << r.skipped[0];
    EXPECT_EQ(r.imagesAdded, 30);
    EXPECT_EQ(r.annotationsAdded, 92);  // the instance count the shared README gives for these frames
    const auto again = dataset::importMaskFolder(store, (davis / "JPEGImages/480p").string(),
                                                 (davis / "Annotations/2017").string(), {true, -1, "object"});
    EXPECT_EQ(again.annotationsAdded, 0);
    EXPECT_EQ(again.duplicates, 92);
    EXPECT_THROW(
        dataset::importMaskFolder(store, (davis / "JPEGImages").string(), (davis / "Annotations").string(), {}),
        UserError);  // names do not pair: 480p/... vs 2017/...
}

TEST(ImportCaptions, GcgPhrasesBecomeByteSpansOfTheCaption) {
    TempDir dir;
    json coco = writeInstances(dir);
    coco["images"][0]["caption"] = "Two cups on a caf\u00e9 table";
    coco["annotations"][1]["tokens_positive"] = {{0, 8}};    // the disc at the right
    coco["annotations"][2]["tokens_positive"] = {{0, 8}};    // and the other one
    coco["annotations"][0]["tokens_positive"] = {{12, 24}};  // "a café table": 12 code points, 13 bytes
    std::ofstream(dir.file("gcg.json")) << coco.dump();
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r = dataset::importGcg(store, dir.file("gcg.json"), dir.path().string());
    EXPECT_TRUE(r.skipped.empty()) << r.skipped[0];
    EXPECT_EQ(r.captionsAdded, 1);
    const auto image = store.findImageByChecksum(store.images().front().checksum);
    const auto c = store.groundedCaption(*image);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->phrases.size(), 3u);
    EXPECT_EQ(c->text.substr(c->phrases[0].begin, c->phrases[0].end - c->phrases[0].begin), "Two cups");
    EXPECT_EQ(c->phrases[1].begin, 0u);
    EXPECT_EQ(c->text.substr(c->phrases[2].begin, c->phrases[2].end - c->phrases[2].begin), "a caf\u00e9 table");
    EXPECT_EQ(c->phrases[2].annotationId, annotationWithBoxX(store, 5));
    EXPECT_EQ(dataset::importGcg(store, dir.file("gcg.json"), dir.path().string()).captionsAdded, 0);
}

TEST(ImportCaptions, DamCaptionsLandOnTheirRegions) {
    TempDir dir;
    cv::imwrite(dir.file("sa_7.jpg"), cv::Mat(60, 80, CV_8UC3, cv::Scalar(1, 2, 3)));
    const Mask m = rectMask(60, 80, 10, 10, 20, 30);
    const json items = json::array({{{"image", "sa_7"},
                                     {"caption", "A brass handle."},
                                     {"ann_id", 3},
                                     {"mask_rle", {{"size", {60, 80}}, {"counts", rle::toString(rle::encode(m))}}}}});
    std::ofstream(dir.file("annotations.json")) << items.dump();
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    const auto r = dataset::importDam(store, dir.file("annotations.json"), dir.path().string());
    EXPECT_TRUE(r.skipped.empty()) << r.skipped[0];
    EXPECT_EQ(r.captionsAdded, 1);
    const auto anns = store.annotationsForImage(store.images().front().id);
    ASSERT_EQ(anns.size(), 1u);
    EXPECT_EQ(anns[0].caption, "A brass handle.");
    EXPECT_EQ(dataset::importDam(store, dir.file("annotations.json"), dir.path().string()).captionsAdded, 0);
}
