// Hostile input made by mutation. Every reader of outside bytes (checkpoints,
// pickles, token text, COCO RLE strings, model configs, images and label maps,
// annotation files) is fed seeded corruptions of a valid input. Each must read
// it, or refuse it with the error its callers turn into a message (naming the
// file where there is one), and never crash or let another exception escape;
// an import that fails saves nothing. The hand-made hostile files of the other
// tests aim at known traps; these find the ones nobody thought of. The
// sanitizer build runs them with many more rounds (scripts/sanitize.sh).
#include "Mutator.h"
#include "TestImages.h"
#include "TestMasks.h"
#include "TestPaths.h"
#include "checkpoint/Checkpoint.h"
#include "checkpoint/CheckpointError.h"
#include "dataset/Import.h"
#include "dataset/PickleData.h"
#include "dataset/Validator.h"
#include "dataset/YoloSeg.h"
#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "model/ModelConfig.h"
#include "tokens/TokenText.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <fstream>
#include <typeinfo>

using namespace samtok;
using samtok::test::Mutator;
using samtok::test::TempDir;

namespace {

std::string readAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeAll(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Runs `read`; the outcome must be a value or an `Error` whose message holds
// `name`. Returns whether it read.
template <class Error, class Read>
bool readOrRefused(const char* what, int round, const std::string& name, Read&& read) {
    try {
        read();
        return true;
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(name), std::string::npos)
            << what << ", round " << round << ": the error does not name '" << name << "': " << message;
    } catch (const std::exception& e) {
        ADD_FAILURE() << what << ", round " << round << ": " << typeid(e).name() << " escaped: " << e.what();
    }
    return false;
}

// Every element a tensor's sizes and strides reach lies inside its storage.
void expectInsideStorage(const checkpoint::StoredTensor& t, const std::string& name, int round) {
    if (t.numel() == 0) return;
    // In 128 bits, so that a hostile size cannot wrap this check around.
    unsigned __int128 last = t.offset;
    for (std::size_t d = 0; d < t.sizes.size(); ++d) {
        ASSERT_GE(t.strides[d], 0) << name << ", round " << round;
        ASSERT_GE(t.sizes[d], 1) << name << ", round " << round;
        last += static_cast<unsigned __int128>(t.sizes[d] - 1) * static_cast<std::uint64_t>(t.strides[d]);
    }
    const std::size_t element = checkpoint::elementSize(t.dtype);
    ASSERT_TRUE((last + 1) * element <= t.storageBytes) << name << ", round " << round;
    volatile std::uint8_t touch = t.storage[(last + 1) * element - 1];
    (void)touch;
}

void mutateCheckpoint(const std::string& original, const std::string& fileName, std::size_t headerEnd, int rounds,
                      std::uint64_t seed) {
    TempDir dir;
    const std::string path = dir.file(fileName);
    int read = 0;
    for (int round = 0; round < rounds; ++round) {
        Mutator mutate(seed + round);
        // Half the rounds damage the header (the pickle or the JSON header), half the archive's end
        // (the zip directory) or anywhere.
        const std::size_t size = original.size();
        const bool head = round % 2 == 0;
        writeAll(path,
                 mutate.bytes(original, head ? 0 : size - std::min<std::size_t>(size, 4096), head ? headerEnd : size));
        read += readOrRefused<checkpoint::CheckpointError>("checkpoint", round, fileName, [&] {
            const auto c = checkpoint::Checkpoint::open(path);
            for (const auto& [name, t] : c.tensors()) expectInsideStorage(t, name, round);
        });
    }
    ::testing::Test::RecordProperty("read", read);
}

const auto kData = samtok::test::sharedDir() / "data";
const auto kLabelme = kData / "labelme-examples/examples/instance_segmentation";

}  // namespace

TEST(MutatedInput, APyTorchCheckpointIsReadOrRefusedByName) {
    const std::string original = readAll(samtok::test::sharedDir() / "golden/samtok-micro/mask_tokenizer.pth");
    // The pickle is the archive's first entry; 64 KB covers it and the first storages' headers.
    mutateCheckpoint(original, "tokenizer.pth", 64 * 1024, samtok::test::mutationRounds(150), 1000);
}

TEST(MutatedInput, ASafetensorsFileIsReadOrRefusedByName) {
    TempDir dir;
    const std::vector<float> weights(6 * 4, 0.5f);
    const std::vector<std::uint16_t> half(3, 0x3c00), brain(5, 0x3f80);
    checkpoint::writeSafetensors(dir.file("model.safetensors"),
                                 {{"encoder.weight", checkpoint::DType::Float32, {6, 4}, weights.data()},
                                  {"bias", checkpoint::DType::BFloat16, {5}, brain.data()},
                                  {"scale", checkpoint::DType::Float16, {3}, half.data()}},
                                 {{"config", R"({"name": "tiny"})"}});
    const std::string original = readAll(dir.file("model.safetensors"));
    std::uint64_t headerLength = 0;
    for (int i = 0; i < 8; ++i) headerLength |= std::uint64_t(static_cast<std::uint8_t>(original[i])) << (8 * i);
    mutateCheckpoint(original, "model.safetensors", 8 + headerLength, samtok::test::mutationRounds(400), 2000);
}

TEST(MutatedInput, ACheckpointPickleIsReadOrRefused) {
    const auto file = std::make_shared<const checkpoint::MappedFile>(
        (samtok::test::sharedDir() / "golden/samtok-micro/mask_tokenizer.pth").string());
    const checkpoint::ZipArchive zip(file);
    std::string pickle;
    for (const auto& [name, entry] : zip.entries())
        if (name.size() >= 8 && name.compare(name.size() - 8, 8, "data.pkl") == 0)
            pickle.assign(reinterpret_cast<const char*>(entry.data), entry.size);
    ASSERT_FALSE(pickle.empty());
    const int rounds = samtok::test::mutationRounds(2000);
    for (int round = 0; round < rounds; ++round) {
        const std::string bytes = Mutator(3000 + round).bytes(pickle);
        readOrRefused<checkpoint::CheckpointError>("pickle", round, "data.pkl", [&] {
            const auto root =
                checkpoint::unpickle(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "data.pkl");
            for (const auto& [name, t] : checkpoint::stateDictTensors(root, "data.pkl")) {
                EXPECT_EQ(t.sizes.size(), t.strides.size()) << name << ", round " << round;
            }
        });
    }
}

TEST(MutatedInput, APickleOfReferringExpressionsIsReadOrRefused) {
    for (const char* name : {"refs_protocol0.p", "refs_protocol2.p"}) {
        const std::string original = readAll(std::filesystem::path(SAMTOK_TEST_DATA) / name);
        const int rounds = samtok::test::mutationRounds(1000);
        for (int round = 0; round < rounds; ++round) {
            const std::string bytes = Mutator(4000 + round).bytes(original);
            readOrRefused<FormatError>(name, round, name, [&] {
                dataset::readPickleData(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), name);
            });
        }
    }
}

TEST(MutatedInput, TokenTextIsParsedIntoValidCodesOrDropped) {
    const std::string original = "The cat " + formatMaskTokens({123, 45}) + " sits by " + formatMaskTokens({0, 255}) +
                                 " and " + formatMaskTokens({255, 0}) + formatMaskTokens({7, 7}) + ".";
    static const char* kFragments[] = {"<|mt_start|>", "<|mt_end|>",
                                       "<|mt_",        "|>",
                                       "<|mt_0999|>",  "<|mt_0256|>",
                                       "<|mt_-001|>",  "<|mt_9999999999|>",
                                       "<|mt_0012|>",  "<|mt_start|><|mt_start|>"};
    const int rounds = samtok::test::mutationRounds(3000);
    for (int round = 0; round < rounds; ++round) {
        Mutator mutate(5000 + round);
        std::string text = mutate.bytes(original);
        for (std::size_t k = mutate.below(4); k-- > 0;)
            text.insert(mutate.below(text.size() + 1), kFragments[mutate.below(std::size(kFragments))]);
        TokenParse parse;
        try {
            parse = parseMaskTokens(text);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "round " << round << ": parsing threw " << e.what();
            continue;
        }
        std::size_t previousEnd = 0;
        for (const auto& g : parse.groups) {
            EXPECT_TRUE(g.c0 >= 0 && g.c0 < 256) << "round " << round << ": " << g.c0;
            EXPECT_TRUE((g.c1 >= 0 && g.c1 < 256) || g.c1 == kMissingCode) << "round " << round << ": " << g.c1;
            EXPECT_LE(previousEnd, g.begin) << "round " << round;
            EXPECT_LT(g.begin, g.end) << "round " << round;
            EXPECT_LE(g.end, text.size()) << "round " << round;
            previousEnd = g.end;
            // Each group's own text parses to the same codes.
            const auto again = parseMaskTokens(std::string_view(text).substr(g.begin, g.end - g.begin));
            ASSERT_EQ(again.groups.size(), 1u) << "round " << round << ": " << text.substr(g.begin, g.end - g.begin);
            EXPECT_EQ(again.groups[0].c0, g.c0) << "round " << round;
            EXPECT_EQ(again.groups[0].c1, g.c1) << "round " << round;
        }
    }
}

TEST(MutatedInput, AnRleStringIsDecodedOrRefused) {
    cv::Mat drawn = cv::Mat::zeros(37, 53, CV_8U);
    cv::circle(drawn, {20, 18}, 12, 1, cv::FILLED);
    cv::rectangle(drawn, {35, 3}, {50, 30}, 1, cv::FILLED);
    cv::line(drawn, {0, 36}, {52, 0}, 1, 1);
    const Mask mask(drawn.rows, drawn.cols, std::vector<std::uint8_t>(drawn.datastart, drawn.dataend));
    const std::string original = rle::toString(rle::encode(mask));
    const int rounds = samtok::test::mutationRounds(3000);
    int read = 0;
    for (int round = 0; round < rounds; ++round) {
        Mutator mutate(6000 + round);
        const std::string counts = mutate.bytes(original);
        // Mostly the true size; sometimes another, since COCO files carry the size apart from the counts.
        const int height = mutate.chance(0.8) ? mask.height() : static_cast<int>(mutate.below(80)) - 2;
        const int width = mutate.chance(0.8) ? mask.width() : static_cast<int>(mutate.below(80)) - 2;
        read += readOrRefused<FormatError>("rle", round, "RLE", [&] {
            const Rle r = rle::fromString(counts, height, width);
            const Mask decoded = rle::decode(r);
            EXPECT_EQ(decoded.height(), height);
            EXPECT_EQ(decoded.width(), width);
            EXPECT_EQ(static_cast<std::uint64_t>(decoded.area()), rle::area(r)) << "round " << round;
            EXPECT_EQ(rle::encode(decoded), r) << "round " << round;
        });
    }
    ::testing::Test::RecordProperty("read", read);
}

TEST(MutatedInput, AModelConfigIsReadOrRefused) {
    const auto original = nlohmann::json::parse(readAll(std::filesystem::path(SAMTOK_TEST_DATA) / "samtok-micro.json"));
    const int rounds = samtok::test::mutationRounds(2000);
    for (int round = 0; round < rounds; ++round) {
        const std::string text = Mutator(7000 + round).json(original);
        readOrRefused<std::invalid_argument>("config", round, "model config", [&] {
            const auto config = model::configFromJson(text);
            // What it accepts it writes back and reads again the same.
            EXPECT_EQ(model::configToJson(model::configFromJson(model::configToJson(config))),
                      model::configToJson(config))
                << "round " << round;
        });
    }
}

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
