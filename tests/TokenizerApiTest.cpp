// The public Tokenizer API on the golden micro checkpoints, and the key layout
// of the built-in configs against the official key list.
#include "TestPaths.h"
#include "checkpoint/CheckpointError.h"
#include "io/ImageIO.h"
#include "mask/MaskMetrics.h"
#include "model/DefaultModel.h"
#include "model/EmbeddingCache.h"
#include "model/Tokenizer.h"
#include "model/nn/SamTokModel.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

using namespace samtok;
using namespace samtok::model;

namespace {

const auto kGolden = test::sharedDir() / "golden/samtok-micro";

ModelConfig microConfig() {
    std::ifstream in(std::string(SAMTOK_TEST_DATA) + "/samtok-micro.json");
    return configFromJson({std::istreambuf_iterator<char>(in), {}});
}

RgbImageView view(const DecodedImage& img) {
    return {img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step};
}

Mask toMask(const DecodedMask& d) {
    return Mask(d.height, d.width, d.mask);
}

}  // namespace

TEST(TokenizerApi, EncodesAndDecodesTheGoldenCasesThroughThePublicApi) {
    const auto tok = Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, test::testDevice());
    EXPECT_TRUE(tok->info().canTokenize);
    for (const char* c : {"public_case0_coffee", "public_case1_chelsea_tiny"}) {
        SCOPED_TRACE(c);
        const auto dir = kGolden / c;
        const DecodedImage img = readImage((dir / "input_image.png").string());
        const auto emb = tok->embed(view(img));
        const Mask mask = readMask((dir / "input_mask.png").string());
        // One embedding, a batch of two masks: the same mask twice gives the same codes.
        const auto codes =
            tok->encode(*emb, {{mask.data(), mask.width(), mask.height()}, {mask.data(), mask.width(), mask.height()}});
        ASSERT_EQ(codes.size(), 2u);
        EXPECT_EQ(codes[0].c0, codes[1].c0);
        EXPECT_EQ(codes[0].c1, codes[1].c1);
        const auto decoded = tok->decode(*emb, {codes[0]});
        ASSERT_EQ(decoded.size(), 1u);
        const Mask reference = readMask((dir / "decoded_mask.png").string());
        // Identical but for pixels whose logit sits within 1e-4 of the threshold (a handful).
        EXPECT_GT(maskIou(toMask(decoded[0]), reference), 0.999);
    }
}

TEST(TokenizerApi, DecodeReturnsTheCandidateItsIouHeadRanksFirst) {
    const auto tok = Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, test::testDevice());
    const DecodedImage img = readImage((kGolden / "public_case0_coffee/input_image.png").string());
    const auto emb = tok->embed(view(img));
    for (const TokenPair pair : {TokenPair{12, 44}, TokenPair{200, 40}, TokenPair{7, -1}}) {
        const auto [candidates, returned] = tok->decodeCandidates(*emb, pair);
        ASSERT_EQ(candidates.size(), 3u);  // the multimask outputs
        std::size_t first = 0;
        for (std::size_t k = 1; k < candidates.size(); ++k)
            if (candidates[k].predictedIou > candidates[first].predictedIou) first = k;
        EXPECT_EQ(returned, static_cast<int>(first));  // ranked first by the IoU head
        const auto decoded = tok->decode(*emb, {pair});
        EXPECT_EQ(decoded[0].mask, candidates[first].mask) << pair.c0 << "," << pair.c1;
        EXPECT_FLOAT_EQ(decoded[0].predictedIou, candidates[first].predictedIou);
        EXPECT_NE(candidates[0].mask, candidates[1].mask);  // three different masks, not one thrice
    }
}

TEST(TokenizerApi, CodesEqualTheGoldenCodes) {
    // The plain-dict copy of the weights, through the public API, on every case (the empty mask included).
    const auto tok = Tokenizer::load(microConfig(), (kGolden / "tensors_plain.pth").string(), {}, test::testDevice());
    std::ifstream runLog(kGolden / "run_log.json");
    const auto log = nlohmann::json::parse(runLog);
    for (const auto& [name, c] : log.at("cases").items()) {
        SCOPED_TRACE(name);
        const DecodedImage img = readImage((kGolden / name / "input_image.png").string());
        const Mask mask = readMask((kGolden / name / "input_mask.png").string());
        const auto codes = tok->encode(*tok->embed(view(img)), {{mask.data(), mask.width(), mask.height()}});
        EXPECT_EQ(codes.at(0).c0, c.at("codes")[0].get<int>());
        EXPECT_EQ(codes.at(0).c1, c.at("codes")[1].get<int>());
        const auto decoded = tok->decode(*tok->embed(view(img)), codes);
        EXPECT_EQ(static_cast<double>(toMask(decoded[0]).area()), c.at("decoded_area").get<double>());
    }
}

TEST(TokenizerApi, MissingCodeRules) {
    const auto tok = Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, test::testDevice());
    const DecodedImage img = readImage((kGolden / "public_case0_coffee/input_image.png").string());
    const auto emb = tok->embed(view(img));
    const auto asZero = tok->decode(*emb, {{5, -1}}, MissingCodeRule::AsCodeZero);
    const auto explicitZero = tok->decode(*emb, {{5, 0}});
    EXPECT_EQ(asZero[0].mask, explicitZero[0].mask);
    EXPECT_THROW(tok->decode(*emb, {{256, 0}}), std::invalid_argument);
    EXPECT_THROW(tok->decode(*emb, {{0, -2}}), std::invalid_argument);
}

TEST(TokenizerApi, SearchedCodesReconstructTheMaskAtLeastAsWell) {
    // The embedded model on real photos: its decoder tells pairs apart, so some neighbour pairs fit better.
    const DefaultModelFiles files = findDefaultModel();
    std::ifstream configFile(files.config);
    const auto tok = Tokenizer::load(configFromJson({std::istreambuf_iterator<char>(configFile), {}}), files.weights,
                                     {}, test::testDevice());
    const auto berkeley = test::sharedDir() / "data/berkeley";
    double plainSum = 0, searchedSum = 0;
    for (const char* stem : {"12003", "21077", "24077"}) {
        SCOPED_TRACE(stem);
        const DecodedImage img = readImage((berkeley / "images" / (std::string(stem) + ".jpg")).string());
        const auto emb = tok->embed(view(img));
        const Mask mask = readMask((berkeley / "masks" / (std::string(stem) + ".png")).string());
        const MaskView mv{mask.data(), mask.width(), mask.height()};
        const auto plain = tok->encode(*emb, {mv});
        const auto one = tok->encodeSearched(*emb, {mv}, 1);
        EXPECT_EQ(one[0].c0, plain[0].c0);
        EXPECT_EQ(one[0].c1, plain[0].c1);
        const auto searched = tok->encodeSearched(*emb, {mv, mv}, 3);
        ASSERT_EQ(searched.size(), 2u);
        EXPECT_EQ(searched[0].c0, searched[1].c0);
        EXPECT_EQ(searched[0].c1, searched[1].c1);
        const double plainIou = maskIou(mask, toMask(tok->decode(*emb, plain)[0]));
        const double searchedIou = maskIou(mask, toMask(tok->decode(*emb, {searched[0]})[0]));
        EXPECT_GE(searchedIou, plainIou - 1e-4);  // batch order may move a pixel or two at the threshold
        plainSum += plainIou;
        searchedSum += searchedIou;
    }
    EXPECT_GT(searchedSum, plainSum + 0.01);

    const DecodedImage img = readImage((berkeley / "images/12003.jpg").string());
    const auto emb = tok->embed(view(img));
    const Mask m(img.rgb.rows, img.rgb.cols);
    EXPECT_THROW(tok->encodeSearched(*emb, {{m.data(), m.width(), m.height()}}, 0), std::invalid_argument);
    EXPECT_THROW(tok->encodeSearched(*emb, {{m.data(), m.width(), m.height()}}, tok->config().codebookSize + 1),
                 std::invalid_argument);
}

TEST(ResidualQuantizer, NearestPairsFollowTheResidualPath) {
    torch::NoGradGuard noGrad;
    ResidualQuantizer q(4, 2, 2);
    // Padding rows last, far away.
    q->codebooks()[0]->weight.copy_(
        torch::tensor({0.f, 0.f, 10.f, 0.f, 0.f, 10.f, 10.f, 10.f, 99.f, 99.f}).view({5, 2}));
    q->codebooks()[1]->weight.copy_(torch::tensor({1.f, 0.f, 0.f, 1.f, -1.f, 0.f, 0.f, -1.f, 99.f, 99.f}).view({5, 2}));
    const auto latent = torch::tensor({9.f, 2.f});
    // First codes by distance: 1 (10,0), then 3 (10,10). Residual (-1,2): second codes 1, 2;
    // residual (-1,-8): second codes 3, 2.
    const auto pairs = q->nearestPairs(latent, 2);
    ASSERT_EQ(pairs.sizes(), (std::vector<int64_t>{4, 2}));
    const std::vector<int64_t> expected{1, 1, 1, 2, 3, 3, 3, 2};
    EXPECT_EQ(std::vector<int64_t>(pairs.data_ptr<int64_t>(), pairs.data_ptr<int64_t>() + 8), expected);
    // Its first pair is the quantizer's choice.
    const auto codes = q->quantize(latent.view({1, 2})).codes;
    EXPECT_EQ(codes[0][0].item<int64_t>(), 1);
    EXPECT_EQ(codes[0][1].item<int64_t>(), 1);
    // A width beyond the codebook is clamped to it.
    EXPECT_EQ(q->nearestPairs(latent, 10).size(0), 16);
}

TEST(TokenizerApi, Sam2CheckpointGivesPromptsButNoTokens) {
    const auto tok = Tokenizer::load(microConfig(), (kGolden / "sam2_micro.pt").string(), {}, test::testDevice());
    EXPECT_FALSE(tok->info().canTokenize);
    const DecodedImage img = readImage((kGolden / "public_case0_coffee/input_image.png").string());
    const auto emb = tok->embed(view(img));
    Prompt p;
    p.points = {{300, 200, true}, {50, 50, false}};
    p.box = std::array<float, 4>{81, 22, 434, 348};
    const auto candidates = tok->segment(*emb, p);
    ASSERT_EQ(candidates.size(), 3u);
    EXPECT_GE(candidates[0].mask.predictedIou, candidates[1].mask.predictedIou);
    EXPECT_EQ(candidates[0].mask.width, 640);
    EXPECT_EQ(candidates[0].lowResLogits.size(), 256u * 256u);
    // Refining with the previous logits is accepted.
    p.previousLowRes = candidates[0].lowResLogits;
    p.multimask = false;
    EXPECT_EQ(tok->segment(*emb, p).size(), 1u);
    const Mask m(img.rgb.rows, img.rgb.cols);
    EXPECT_THROW(tok->encode(*emb, {{m.data(), m.width(), m.height()}}), std::runtime_error);
    // With the tokenizer file for tokens and the SAM2 file for prompts.
    const auto both = Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(),
                                      (kGolden / "sam2_micro.pt").string(), test::testDevice());
    const auto emb2 = both->embed(view(img));
    const auto viaSam2 = both->segment(*emb2, p);
    const auto viaTokenizerDecoder =
        Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, test::testDevice())
            ->segment(*emb2, p);
    // The decoders differ on purpose (SAMTok fine-tuned its copy), and so do their masks.
    EXPECT_NE(viaSam2[0].lowResLogits, viaTokenizerDecoder[0].lowResLogits);
}

TEST(TokenizerApi, AWrongConfigIsReportedTensorByTensor) {
    ModelConfig wrong = microConfig();
    wrong.decoder.mlpDim = 128;
    try {
        Tokenizer::load(wrong, (kGolden / "mask_tokenizer.pth").string());
        FAIL() << "accepted a checkpoint that does not fit";
    } catch (const checkpoint::CheckpointError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("with the wrong shape"), std::string::npos) << msg;
        EXPECT_NE(msg.find("sam_mask_decoder.transformer.layers.0.mlp.layers.0.weight"), std::string::npos) << msg;
    }
    EXPECT_THROW(detectConfig((kGolden / "mask_tokenizer.pth").string()), checkpoint::CheckpointError);
}

TEST(TokenizerApi, BuiltInLargeConfigHasExactlyTheOfficialKeys) {
    // Every tensor of our large model is in the official key list with the same shape,
    // and every official tensor is ours or known to be unused by the tokenizer.
    std::ifstream tsv(test::sharedDir() / "docs/samtok-keys-large.tsv");
    ASSERT_TRUE(tsv);
    std::map<std::string, std::string> official;
    std::string line;
    while (std::getline(tsv, line)) {
        if (line.empty() || line[0] == '#' || line.rfind("key_", 0) == 0) continue;
        std::istringstream fields(line);
        std::string key, shape;
        std::getline(fields, key, '\t');
        std::getline(fields, shape, '\t');
        official[key] = shape;
    }
    ASSERT_EQ(official.size(), 992u);
    torch::NoGradGuard g;
    SamTokModel large(builtinConfig("sam2.1_hiera_large"));
    std::map<std::string, std::string> ours;
    auto shapeText = [](const torch::Tensor& t) {
        std::string s = "[";
        for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
        return s + "]";
    };
    for (const auto& p : large->named_parameters()) ours[p.key()] = shapeText(p.value());
    for (const auto& b : large->named_buffers()) ours[b.key()] = shapeText(b.value());
    for (const auto& [k, s] : ours) {
        ASSERT_TRUE(official.count(k)) << "not an official key: " << k;
        EXPECT_EQ(official[k], s) << k;
    }
    std::size_t unused = 0;
    for (const auto& [k, s] : official) {
        if (ours.count(k)) continue;
        EXPECT_TRUE(isUnusedBySamTok(k)) << "official key missing from our model: " << k;
        ++unused;
    }
    EXPECT_EQ(ours.size() + unused, 992u);
}

TEST(TokenizerApi, DeterministicAndCacheableByBytes) {
    const auto tok = Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, test::testDevice());
    const DecodedImage img = readImage((kGolden / "public_case1_chelsea_tiny/input_image.png").string());
    const Mask mask = readMask((kGolden / "public_case1_chelsea_tiny/input_mask.png").string());
    const auto a = tok->embed(view(img));
    const auto b = tok->embed(view(img));
    const auto ca = tok->encode(*a, {{mask.data(), mask.width(), mask.height()}});
    const auto cb = tok->encode(*b, {{mask.data(), mask.width(), mask.height()}});
    EXPECT_EQ(ca[0].c0, cb[0].c0);
    EXPECT_EQ(ca[0].c1, cb[0].c1);
    EXPECT_EQ(tok->decode(*a, ca)[0].mask, tok->decode(*b, cb)[0].mask);
    // Embedding size, in float32: the image embedding and the dense PE; the decoder's
    // prepared image: both high-res maps, the image tokens with the dense prompt,
    // their PE, and the first block's three projections.
    const auto& cfg = tok->config();
    const std::size_t e2 = static_cast<std::size_t>(cfg.embeddingSize()) * cfg.embeddingSize(), d = cfg.dModel;
    const std::size_t internal = d / cfg.decoder.attentionDownsampleRate;
    const std::size_t expected =
        4u * (d * e2 * 2 + (d / 8) * 16u * e2 + (d / 4) * 4u * e2 + d * e2 * 2 + 3 * internal * e2);
    EXPECT_EQ(a->bytes(), expected);
    EmbeddingCache cache(a->bytes() + 1);
    cache.insert("a", a);
    cache.insert("b", b);  // only one fits
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_EQ(cache.find("b"), b);
}

TEST(TokenizerApi, NothingAssumes1024PixelsOr256Codes) {
    ModelConfig c = microConfig();
    c.imageSize = 512;
    c.codebookSize = 512;
    const auto tok = Tokenizer::untrained(c, test::testDevice());
    const DecodedImage img = readImage((kGolden / "public_case0_coffee/input_image.png").string());
    const Mask mask = readMask((kGolden / "public_case0_coffee/input_mask.png").string());
    const auto emb = tok->embed(view(img));
    const auto codes = tok->encode(*emb, {{mask.data(), mask.width(), mask.height()}});
    EXPECT_LT(codes[0].c0, 512);
    EXPECT_LT(codes[0].c1, 512);
    const auto decoded = tok->decode(*emb, {{511, 511}});
    EXPECT_EQ(decoded[0].width, 640);
    EXPECT_EQ(decoded[0].height, 480);
    Prompt p;
    p.points = {{10, 10, true}};
    EXPECT_EQ(tok->segment(*emb, p)[0].lowResSize, 128);
}

// 4096 ones summed: a bfloat16 accumulator stops at 256 (256 + 1 rounds back to
// 256), which LibTorch 1.13's CPU GEMM gives on CPUs without AVX-512.
TEST(TokenizerApi, LongProductsAreSummedInFloatInBfloat16) {
    const auto a = torch::ones({2, 4096}, torch::kBFloat16), b = torch::ones({4096, 3}, torch::kBFloat16);
    const auto sum = matmulSummedInFloat(a, b);
    EXPECT_EQ(sum.scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(torch::equal(sum.to(torch::kFloat32), torch::full({2, 3}, 4096.0f))) << sum;
    // fp32 is untouched.
    EXPECT_TRUE(
        torch::equal(matmulSummedInFloat(a.to(torch::kFloat32), b.to(torch::kFloat32)), torch::full({2, 3}, 4096.0f)));
}

// bf16 is the GPU precision; LibTorch runs the same code on the CPU, so its
// agreement with fp32 is checked here on every case (and on a GPU when there is one).
TEST(TokenizerApi, Bfloat16AgreesWithFloat32) {
    const std::string device = torch::cuda::is_available() ? "cuda" : "cpu";
    const auto fp32 = Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, device);
    const auto bf16 =
        Tokenizer::load(microConfig(), (kGolden / "mask_tokenizer.pth").string(), {}, device, Precision::BFloat16);
    EXPECT_EQ(bf16->info().precision, "bf16");
    EXPECT_EQ(fp32->info().precision, "fp32");
    for (const char* name : {"public_case0_coffee", "public_case1_chelsea_tiny"}) {
        SCOPED_TRACE(name);
        const DecodedImage img = readImage((kGolden / name / "input_image.png").string());
        const Mask mask = readMask((kGolden / name / "input_mask.png").string());
        const auto e32 = fp32->embed(view(img));
        const auto e16 = bf16->embed(view(img));
        const MaskView mv{mask.data(), mask.width(), mask.height()};
        const auto codes = fp32->encode(*e32, {mv});
        EXPECT_EQ(bf16->encode(*e16, {mv}).size(), 1u);  // codes may differ where two are nearly equidistant
        const auto d32 = fp32->decode(*e32, codes), d16 = bf16->decode(*e16, codes);
        const double decodeIou = maskIou(toMask(d32[0]), toMask(d16[0]));
        EXPECT_GT(decodeIou, 0.9);
        EXPECT_NEAR(d32[0].predictedIou, d16[0].predictedIou, 0.05);
        Prompt p;
        p.points = {{img.rgb.cols / 2.0f, img.rgb.rows / 2.0f, true}};
        const auto c32 = fp32->segment(*e32, p), c16 = bf16->segment(*e16, p);
        ASSERT_EQ(c32.size(), c16.size());
        EXPECT_GT(maskIou(toMask(c32[0].mask), toMask(c16[0].mask)), 0.9);
        // A second click with the first answer as the mask prompt.
        p.previousLowRes = c16[0].lowResLogits;
        p.multimask = false;
        EXPECT_EQ(bf16->segment(*e16, p).size(), 1u);
        std::cout << name << ": decode IoU bf16 vs fp32 " << decodeIou << "\n";
    }
    EXPECT_THROW(parsePrecision("fp8"), std::invalid_argument);
}
