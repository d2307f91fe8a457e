// Hostile input made by mutation, continued (MutationTest.cpp says how): the
// files a user points the importers, the validator and the studio at: images
// and label maps, YOLO labels, annotation files, fine-tuning files and project
// files.
#include "MutationChecks.h"
#include "Mutator.h"
#include "TestImages.h"
#include "TestMasks.h"
#include "TestPaths.h"
#include "dataset/Import.h"
#include "dataset/Validator.h"
#include "dataset/YoloSeg.h"
#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "tokens/TokenText.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

using namespace samtok;
using namespace samtok::test;

namespace {
const auto kData = samtok::test::sharedDir() / "data";
const auto kLabelme = kData / "labelme-examples/examples/instance_segmentation";
}  // namespace

TEST(MutatedInput, ImagesAndLabelMapsAreDecodedOrRefusedByName) {
    cv::Mat bgr(48, 64, CV_8UC3);
    cv::randu(bgr, 0, 255);
    std::vector<unsigned char> png, gray;
    cv::imencode(".png", bgr, png);
    cv::Mat labels = cv::Mat::zeros(48, 64, CV_8U);
    cv::circle(labels, {30, 20}, 10, 2, cv::FILLED);
    cv::imencode(".png", labels, gray);
    const auto jpeg = samtok::test::jpegWithOrientation(bgr, 6);
    TempDir dir;
    // A palette PNG too, as DAVIS masks are: read by our own libpng code, not OpenCV's.
    cv::Mat indices(24, 30, CV_8U);
    for (int y = 0; y < indices.rows; ++y)
        for (int x = 0; x < indices.cols; ++x)
            indices.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>((x / 6 + y / 6) % 5);
    ASSERT_TRUE(samtok::test::writePalettePng(dir.file("seed.png"), indices));
    const std::string paletteBytes = readAll(dir.file("seed.png"));
    const std::vector<unsigned char> palette(paletteBytes.begin(), paletteBytes.end());
    const int rounds = samtok::test::mutationRounds(300);
    int read = 0;
    for (const auto& [name, original] :
         {std::pair{"photo.png", png}, {"photo.jpg", jpeg}, {"labels.png", gray}, {"palette.png", palette}}) {
        const std::string bytes(original.begin(), original.end());
        const std::string path = dir.file(name);
        for (int round = 0; round < rounds; ++round) {
            // The headers and metadata segments are in the first 200 bytes.
            writeAll(path, Mutator(8000 + round).bytes(bytes, 0, 200));
            read += readOrRefused<UserError>("image", round, name, [&] {
                const auto image = readImage(path);
                EXPECT_EQ(image.rgb.type(), CV_8UC3) << name << ", round " << round;
                EXPECT_FALSE(image.rgb.empty()) << name << ", round " << round;
            });
            read += readOrRefused<UserError>("label map", round, name, [&] {
                const cv::Mat map = readLabelMap(path);
                EXPECT_EQ(map.channels(), 1) << name << ", round " << round;
            });
            readOrRefused<UserError>("image size", round, name, [&] {
                const cv::Size size = readImageSize(path);
                EXPECT_TRUE(size.width > 0 && size.height > 0) << name << ", round " << round << ": " << size;
            });
        }
    }
    ::testing::Test::RecordProperty("read", read);
}

TEST(MutatedInput, AYoloLabelFileIsReadOrRefusedByName) {
    const std::string original = readAll(kData / "coco128-seg/coco128-seg/labels/train2017/000000000009.txt");
    TempDir dir;
    const std::string path = dir.file("labels.txt");
    const int rounds = samtok::test::mutationRounds(1000);
    for (int round = 0; round < rounds; ++round) {
        writeAll(path, Mutator(9000 + round).bytes(original));
        readOrRefused<FormatError>("yolo", round, "labels.txt", [&] {
            for (const auto& instance : readYoloSegLabels(path, 640, 480)) {
                EXPECT_GE(instance.classId, 0) << "round " << round;
                for (const auto& p : instance.ring)
                    EXPECT_TRUE(std::isfinite(p.x) && std::isfinite(p.y)) << "round " << round;
            }
        });
    }
}

// An annotation file is one transaction: a refused file leaves the project as it was.
TEST(MutatedInput, AnAnnotationImportSavesEverythingOrNothing) {
    auto labelme = nlohmann::json::parse(readAll(kLabelme / "data_annotated/2011_000003.json"));
    labelme["imagePath"] = (kLabelme / "data_annotated/2011_000003.jpg").string();
    const auto coco = nlohmann::json::parse(readAll(kLabelme / "data_dataset_coco/annotations.json"));
    // SA-1B and DAM files over the same photo (500 x 338).
    const Rle box = rle::encode(samtok::test::rectMask(338, 500, 100, 50, 300, 200));
    const nlohmann::json rle{{"size", {338, 500}}, {"counts", rle::toString(box)}};
    const nlohmann::json sa1b{{"image", {{"file_name", "2011_000003.jpg"}, {"width", 500}, {"height", 338}}},
                              {"annotations", {{{"segmentation", rle}}, {{"segmentation", rle}}}}};
    const nlohmann::json dam{{{"image", "2011_000003.jpg"}, {"caption", "a person"}, {"mask_rle", rle}}};
    const std::string photos = (kLabelme / "data_annotated").string();
    const int rounds = samtok::test::mutationRounds(60);
    for (int round = 0; round < rounds; ++round) {
        TempDir dir;
        const std::string labelmePath = dir.file("shapes.json"), cocoPath = dir.file("instances.json");
        const std::string sa1bPath = dir.file("sa_1.json"), damPath = dir.file("dam.json");
        writeAll(labelmePath, Mutator(10000 + round).json(labelme));
        writeAll(cocoPath, Mutator(11000 + round).json(coco));
        writeAll(sa1bPath, Mutator(14000 + round).json(sa1b));
        writeAll(damPath, Mutator(15000 + round).json(dam));
        const auto check = [&](const char* name, const std::string& file, auto&& import) {
            auto store = ProjectStore::create(dir.file(std::string(name) + ".samtok"), name);
            dataset::ImportReport report;
            if (readOrRefused<UserError>(name, round, file, [&] { report = import(store); })) {
                EXPECT_EQ(store.annotationCount(), report.annotationsAdded) << name << ", round " << round;
            } else {
                EXPECT_EQ(store.annotationCount(), 0) << name << ", round " << round;
                EXPECT_EQ(store.imageCount(), 0) << name << ", round " << round;
            }
        };
        check("labelme", "shapes.json", [&](ProjectStore& s) { return dataset::importLabelMe(s, labelmePath); });
        check("coco", "instances.json", [&](ProjectStore& s) {
            return dataset::importCoco(s, cocoPath, (kLabelme / "data_dataset_coco").string());
        });
        check("sa1b", "sa_1.json", [&](ProjectStore& s) { return dataset::importSa1b(s, sa1bPath, photos); });
        check("dam", "dam.json", [&](ProjectStore& s) { return dataset::importDam(s, damPath, photos); });
    }
}

TEST(MutatedInput, AFineTuningFileIsValidatedWithoutThrowing) {
    const std::string tokens = formatMaskTokens({12, 34});
    const std::vector<nlohmann::json> records{
        {{"image", "a.jpg"},
         {"conversations",
          {{{"from", "human"}, {"value", "<image>\nPlease segment the cat."}},
           {{"from", "gpt"}, {"value", "It is " + tokens + "."}}}}},
        {{"images", {"a.jpg", "b.jpg"}},
         {"messages",
          {{{"role", "user"}, {"content", "<image><image>Find every dog and answer in JSON."}},
           {{"role", "assistant"},
            {"content", "```json\n[{\"label\": \"dog\", \"mask_2d\": \"" + tokens + "\"}]\n```"}}}}}};
    TempDir dir;
    const std::string path = dir.file("train.jsonl");
    const int rounds = samtok::test::mutationRounds(300);
    for (int round = 0; round < rounds; ++round) {
        Mutator mutate(12000 + round);
        std::string text;
        for (const auto& r : records) text += (mutate.chance(0.5) ? mutate.json(r) : r.dump()) + "\n";
        if (mutate.chance(0.3)) text = mutate.bytes(text);
        writeAll(path, text);
        readOrRefused<UserError>("validator", round, "train.jsonl", [&] {
            dataset::ValidationOptions options;
            options.checkPaths = false;
            const auto report = dataset::validateDataset(path, options);
            for (const auto& pair : report.pairs) {
                EXPECT_TRUE(pair.c0 >= 0 && pair.c0 < 256 && pair.c1 >= 0 && pair.c1 < 256) << "round " << round;
            }
        });
    }
}

// A project file damaged on disk opens, or is refused, by name; what opens reads back without a crash.
TEST(MutatedInput, AProjectFileOpensOrIsRefused) {
    TempDir dir;
    const std::string original = dir.file("original.samtok");
    {
        cv::imwrite(dir.file("a.png"), cv::Mat(30, 40, CV_8UC3, cv::Scalar(1, 2, 3)));
        auto store = ProjectStore::create(original, "p");
        dataset::ImportReport report;
        nlohmann::json coco{
            {"images", {{{"id", 1}, {"file_name", "a.png"}, {"width", 40}, {"height", 30}}}},
            {"categories", {{{"id", 1}, {"name", "thing"}}}},
            {"annotations",
             {{{"id", 1}, {"image_id", 1}, {"category_id", 1}, {"segmentation", {{5, 5, 20, 5, 20, 20}}}},
              {{"id", 2}, {"image_id", 1}, {"category_id", 1}, {"segmentation", {{25, 2, 38, 2, 30, 28}}}}}}};
        writeAll(dir.file("a.json"), coco.dump());
        dataset::importCoco(store, dir.file("a.json"), dir.path().string());
        const RowId tokenizer = store.registerTokenizer({0, "micro", "{}", std::string(64, 'a')});
        for (const auto& image : store.images())
            for (const auto& a : store.annotationsForImage(image.id))
                store.setTokens({a.id, tokenizer, {3, 4}, 0.8, 0});
        store.addReferringExpression(store.annotationsForImage(store.images()[0].id)[0].id, "the left one");
    }
    const std::string bytes = readAll(original);
    const std::string path = dir.file("mutated.samtok");
    const int rounds = samtok::test::mutationRounds(300);
    for (int round = 0; round < rounds; ++round) {
        std::filesystem::remove(path);
        std::filesystem::remove(path + "-wal");
        std::filesystem::remove(path + "-shm");
        writeAll(path, Mutator(13000 + round).bytes(bytes));
        try {
            auto store = ProjectStore::open(path);
            // What the studio reads: every readable region, the damaged ones named.
            std::size_t readable = 0, damaged = 0;
            for (const auto& image : store.images()) {
                std::vector<DamagedAnnotation> named;
                for (const auto& a : store.readableAnnotationsForImage(image.id, named)) {
                    EXPECT_LE(rle::area(a.mask), std::uint64_t(a.mask.height) * std::uint64_t(a.mask.width))
                        << "round " << round;
                    store.tokensFor(a.id);
                    store.referringExpressions(a.id);
                    ++readable;
                }
                for (const auto& d : named) EXPECT_NE(d.reason.find("damaged mask"), std::string::npos) << d.reason;
                damaged += named.size();
            }
            EXPECT_EQ(store.damagedAnnotations().size(), damaged) << "round " << round;
            store.edits();
            store.classes();
        } catch (const UserError& e) {
            // The file, or the damaged record in it.
            const std::string message = e.what();
            EXPECT_TRUE(message.find("mutated.samtok") != std::string::npos ||
                        message.find("has a damaged") != std::string::npos)
                << "round " << round << ": " << message;
        } catch (const StoreError& e) {
            EXPECT_FALSE(std::string(e.what()).empty()) << "round " << round;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "round " << round << ": " << typeid(e).name() << " escaped: " << e.what();
        }
    }
}
