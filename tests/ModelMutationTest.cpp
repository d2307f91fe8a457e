// A damaged or hostile model file, as far as the networks: the embedded
// default model's bytes, corrupted, are loaded as `--model FILE` loads them
// (its config read from the metadata, then every tensor by name). Each load
// must be refused by a CheckpointError naming the file, or succeed; a model that
// loads (damaged weights can be any numbers, NaN included) must embed, encode,
// decode and segment without crashing.
#include "Mutator.h"
#include "TestPaths.h"
#include "checkpoint/CheckpointError.h"
#include "model/DefaultModel.h"
#include "model/Tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <typeinfo>

using namespace samtok;
using namespace samtok::model;

TEST(MutatedModel, ADamagedModelFileIsRefusedByNameOrRunsWithoutCrashing) {
    const auto files = findDefaultModel();
    std::ifstream in(files.weights, std::ios::binary);
    const std::string original{std::istreambuf_iterator<char>(in), {}};
    std::uint64_t headerLength = 0;
    for (int i = 0; i < 8; ++i) headerLength |= std::uint64_t(static_cast<std::uint8_t>(original[i])) << (8 * i);

    std::vector<std::uint8_t> rgb(40 * 32 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 7);
    std::vector<std::uint8_t> mask(40 * 32, 0);
    for (int y = 8; y < 20; ++y)
        for (int x = 10; x < 30; ++x) mask[static_cast<std::size_t>(y * 40 + x)] = 1;

    test::TempDir dir;
    const std::string path = dir.file("model.safetensors");
    const int rounds = test::mutationRounds(40);
    int loaded = 0;
    for (int round = 0; round < rounds; ++round) {
        test::Mutator mutate(20000 + round);
        // Two rounds in three damage the header (tensor table and config), the rest the weights.
        const bool header = round % 3 != 2;
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            << mutate.bytes(original, header ? 0 : 8 + headerLength, header ? 8 + headerLength : original.size());
        try {
            const auto tok = Tokenizer::load(detectConfig(path), path);
            ++loaded;
            const auto emb = tok->embed({rgb.data(), 40, 32, 40 * 3});
            const auto codes = tok->encode(*emb, {{mask.data(), 40, 32}});
            ASSERT_EQ(codes.size(), 1u);
            EXPECT_TRUE(codes[0].c0 >= 0 && codes[0].c0 < tok->config().codebookSize) << "round " << round;
            const auto decoded = tok->decode(*emb, codes);
            EXPECT_EQ(decoded.at(0).mask.size(), mask.size()) << "round " << round;
            Prompt click;
            click.points.push_back({20, 14, true});
            EXPECT_FALSE(tok->segment(*emb, click).empty()) << "round " << round;
        } catch (const checkpoint::CheckpointError& e) {
            EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos)
                << "round " << round << ": " << e.what();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "round " << round << ": " << typeid(e).name() << " escaped: " << e.what();
        }
    }
    RecordProperty("loaded", loaded);
}
