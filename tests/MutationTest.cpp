// Hostile input made by mutation. Every reader of outside bytes (checkpoints,
// pickles, token text, COCO RLE strings, model configs, images and label maps,
// annotation files) is fed seeded corruptions of a valid input. Each must read
// it, or refuse it with the error its callers turn into a message (naming the
// file where there is one), and never crash or let another exception escape;
// an import that fails saves nothing. The hand-made hostile files of the other
// tests aim at known traps; these find the ones nobody thought of. The
// sanitizer build runs them with many more rounds (scripts/sanitize.sh).
#include "MutationChecks.h"
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
using namespace samtok::test;

namespace {

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
