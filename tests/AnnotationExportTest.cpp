// Round trips through the annotation formats on the shared data:
// import -> export -> import gives the same masks (COCO RLE byte for byte,
// LabelMe exactly, YOLO-seg within its polygon approximation).
#include "TestPaths.h"
#include "dataset/Import.h"
#include "dataset/YoloSeg.h"
#include "export/AnnotationExport.h"
#include "mask/CocoRle.h"
#include "store/AddImages.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

using namespace samtok;
using nlohmann::json;
using samtok::test::TempDir;
namespace fs = std::filesystem;

namespace {

const auto kExamples = samtok::test::sharedDir() / "data/labelme-examples/examples/instance_segmentation";

// image checksum -> (class name, RLE string) of every region, sorted.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> content(const ProjectStore& s) {
    std::map<RowId, std::string> names;
    for (const auto& c : s.classes()) names[c.id] = c.name;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
    for (const auto& im : s.images()) {
        auto& v = out[im.checksum];
        for (const auto& a : s.annotationsForImage(im.id))
            v.emplace_back(a.classId ? names[*a.classId] : "", rle::toString(a.mask));
        std::sort(v.begin(), v.end());
    }
    return out;
}

json readJson(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
}

}  // namespace

TEST(AnnotationExport, CocoRoundTripKeepsEveryRleByteForByte) {
    TempDir dir;
    auto first = ProjectStore::create(dir.file("a.samtok"), "a");
    const auto src = (kExamples / "data_dataset_coco/annotations.json").string();
    dataset::importCoco(first, src, (kExamples / "data_dataset_coco").string());
    ASSERT_EQ(first.annotationCount(), 12);
    const auto report =
        exporter::exportCoco(first, {dir.file("export/instances.json"), dir.file("export/masks"), {}, true});
    EXPECT_EQ(report.annotations, 12);
    EXPECT_EQ(report.masksWritten, 12);

    // The file is COCO: [h, w] sizes, xywh boxes, areas, categories by id.
    const json j = readJson(dir.file("export/instances.json"));
    ASSERT_EQ(j["annotations"].size(), 12u);
    std::set<std::int64_t> categories;
    for (const auto& c : j["categories"]) categories.insert(c["id"].get<std::int64_t>());
    for (const auto& a : j["annotations"]) {
        const Rle r = rle::fromString(a["segmentation"]["counts"].get<std::string>(), a["segmentation"]["size"][0],
                                      a["segmentation"]["size"][1]);
        EXPECT_EQ(a["area"], rle::area(r));
        const PixelBox b = rle::toBbox(r);
        EXPECT_EQ(a["bbox"], json({b.x, b.y, b.width, b.height}));
        EXPECT_TRUE(categories.count(a["category_id"].get<std::int64_t>()));
        EXPECT_EQ(a["iscrowd"], 0);
    }
    // The PNG masks are the same masks.
    const auto& a0 = j["annotations"][0];
    const auto image0 = j["images"][0];
    const cv::Mat png =
        cv::imread(dir.file("export/masks/" + fs::path(image0["file_name"].get<std::string>()).stem().string() + "_" +
                            std::to_string(a0["id"].get<int>()) + ".png"),
                   cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(png.empty());
    EXPECT_EQ(static_cast<std::uint64_t>(cv::countNonZero(png)), a0["area"].get<std::uint64_t>());

    auto second = ProjectStore::create(dir.file("b.samtok"), "b");
    const auto again = dataset::importCoco(second, dir.file("export/instances.json"), dir.file("export"));
    EXPECT_TRUE(again.skipped.empty()) << again.skipped[0];
    EXPECT_EQ(content(first), content(second));
    exporter::exportCoco(second, {dir.file("export2/instances.json"), {}, {}, true});
    const json k = readJson(dir.file("export2/instances.json"));
    for (std::size_t i = 0; i < 12; ++i)
        EXPECT_EQ(k["annotations"][i]["segmentation"]["counts"], j["annotations"][i]["segmentation"]["counts"]);
}

TEST(AnnotationExport, CompressedRleOfAnImportIsWrittenBackUnchanged) {
    TempDir dir;
    cv::imwrite(dir.file("x.png"), cv::Mat(37, 53, CV_8UC3, cv::Scalar(9, 9, 9)));
    Mask m(37, 53);
    for (int y = 0; y < 37; ++y)
        for (int x = (y * 7) % 11; x < 53 - y % 5; x += 1 + (x % 3 == 0)) m.set(y, x, true);
    const std::string counts = rle::toString(rle::encode(m));
    std::ofstream(dir.file("in.json")) << json{{"images",
                                                {{{"id", 1}, {"file_name", "x.png"}, {"width", 53}, {"height", 37}}}},
                                               {"categories", {{{"id", 1}, {"name", "weave"}}}},
                                               {"annotations",
                                                {{{"id", 1},
                                                  {"image_id", 1},
                                                  {"category_id", 1},
                                                  {"iscrowd", 0},
                                                  {"segmentation", {{"size", {37, 53}}, {"counts", counts}}}}}}}
                                              .dump();
    auto store = ProjectStore::create(dir.file("p.samtok"), "p");
    dataset::importCoco(store, dir.file("in.json"), dir.path().string());
    exporter::exportCoco(store, {dir.file("out.json"), {}, {}, true});
    EXPECT_EQ(readJson(dir.file("out.json"))["annotations"][0]["segmentation"]["counts"], counts);
}

TEST(AnnotationExport, LabelmeRoundTripIsExact) {
    TempDir dir;
    auto first = ProjectStore::create(dir.file("a.samtok"), "a");
    for (const auto& e : fs::directory_iterator(kExamples / "data_annotated"))
        if (e.path().extension() == ".json") dataset::importLabelMe(first, e.path().string());
    ASSERT_GT(first.annotationCount(), 10);
    const auto report = exporter::exportLabelMe(first, dir.file("labelme"));
    EXPECT_EQ(report.annotations, first.annotationCount());
    auto second = ProjectStore::create(dir.file("b.samtok"), "b");
    for (const auto& e : fs::directory_iterator(dir.file("labelme"))) {
        const auto r = dataset::importLabelMe(second, e.path().string());
        EXPECT_TRUE(r.skipped.empty()) << r.skipped[0];
    }
    EXPECT_EQ(content(first), content(second));
}

TEST(AnnotationExport, YoloSegRoundTripStaysCloseToTheMasks) {
    TempDir dir;
    const auto root = samtok::test::sharedDir() / "data/coco128-seg/coco128-seg";
    auto first = ProjectStore::create(dir.file("a.samtok"), "a");
    std::vector<std::string> names;
    for (int i = 0; i < 80; ++i) names.push_back("c" + std::to_string(i));
    const auto images = collectImageFiles({(root / "images/train2017").string()});
    for (std::size_t i = 0; i < 12; ++i) {
        const fs::path label = root / "labels/train2017" / (fs::path(images[i]).stem().string() + ".txt");
        if (fs::exists(label)) dataset::importYoloSeg(first, images[i], label.string(), names);
    }
    ASSERT_GT(first.annotationCount(), 30);
    exporter::exportYoloSeg(first, dir.file("yolo"));
    std::vector<std::string> exportedNames;
    std::ifstream in(dir.file("yolo/classes.txt"));
    for (std::string l; std::getline(in, l);) exportedNames.push_back(l);

    auto second = ProjectStore::create(dir.file("b.samtok"), "b");
    for (std::size_t i = 0; i < 12; ++i) {
        const fs::path label = dir.path() / "yolo/labels" / (fs::path(images[i]).stem().string() + ".txt");
        if (fs::exists(label)) dataset::importYoloSeg(second, images[i], label.string(), exportedNames);
    }
    ASSERT_EQ(second.annotationCount(), first.annotationCount());
    double sum = 0;
    int n = 0;
    for (const auto& im : first.images()) {
        const auto a = first.annotationsForImage(im.id);
        const auto b = second.annotationsForImage(*second.findImageByChecksum(im.checksum));
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t k = 0; k < a.size(); ++k) {
            const double iou = rle::iou(b[k].mask, a[k].mask);
            EXPECT_GT(iou, 0.6) << im.path << " region " << k;
            sum += iou, ++n;
        }
    }
    EXPECT_GT(sum / n, 0.9);
}
