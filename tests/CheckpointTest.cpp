// Reading checkpoints: the golden files in the official layout, and files
// built here to be hostile, truncated or inconsistent.
#include "TestPaths.h"
#include "checkpoint/Checkpoint.h"
#include "checkpoint/CheckpointError.h"
#include "model/ModelConfig.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

using namespace samtok::checkpoint;
using samtok::test::slurp;
using samtok::test::TempDir;

namespace {

void put16(std::string& s, std::uint16_t v) {
    s.push_back(char(v & 0xff));
    s.push_back(char(v >> 8));
}
void put32(std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

// A minimal ZIP writer (stored entries, or a fake "deflated" one) for test fixtures.
std::string makeZip(const std::vector<std::pair<std::string, std::string>>& entries, std::uint16_t method = 0,
                    std::uint32_t claimedSize = 0) {
    std::string out, central;
    for (const auto& [name, data] : entries) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        const std::uint32_t usize = claimedSize ? claimedSize : static_cast<std::uint32_t>(data.size());
        put32(out, 0x04034b50);
        put16(out, 20);
        put16(out, 0);
        put16(out, method);
        put16(out, 0);
        put16(out, 0);
        put32(out, 0);
        put32(out, static_cast<std::uint32_t>(data.size()));
        put32(out, usize);
        put16(out, static_cast<std::uint16_t>(name.size()));
        put16(out, 0);
        out += name;
        out += data;
        put32(central, 0x02014b50);
        put16(central, 20);
        put16(central, 20);
        put16(central, 0);
        put16(central, method);
        put16(central, 0);
        put16(central, 0);
        put32(central, 0);
        put32(central, static_cast<std::uint32_t>(data.size()));
        put32(central, usize);
        put16(central, static_cast<std::uint16_t>(name.size()));
        put16(central, 0);
        put16(central, 0);
        put16(central, 0);
        put16(central, 0);
        put32(central, 0);
        put32(central, offset);
        central += name;
    }
    const auto cdOffset = static_cast<std::uint32_t>(out.size());
    out += central;
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint16_t>(entries.size()));
    put16(out, static_cast<std::uint16_t>(entries.size()));
    put32(out, static_cast<std::uint32_t>(central.size()));
    put32(out, cdOffset);
    put16(out, 0);
    return out;
}

std::string unicode(const std::string& s) {
    std::string o = "X";
    put32(o, static_cast<std::uint32_t>(s.size()));
    return o + s;
}

// Pickle of {"w": tensor of `numel` floats in storage "0"}, protocol 2.
std::string tensorPickle(std::uint32_t storageNumel, std::uint32_t size) {
    std::string p = "\x80\x02}";
    p += unicode("w");
    p += "ctorch._utils\n_rebuild_tensor_v2\n(";
    p += "(" + unicode("storage") + "ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu");
    p += "J";
    put32(p, storageNumel);
    p += "tQ";
    p += std::string("K\0", 2);  // offset 0
    p += "J";
    put32(p, size);
    p += "\x85";                           // sizes (size,)
    p += "K\x01\x85";                      // strides (1,)
    p += "\x89";                           // requires_grad False
    p += "ccollections\nOrderedDict\n)R";  // backward hooks
    p += "tRs.";
    return p;
}

std::string write(const TempDir& dir, const std::string& name, const std::string& bytes) {
    const std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

void expectRefused(const std::string& path, const std::string& fragment) {
    try {
        Checkpoint::open(path);
        ADD_FAILURE() << "accepted " << path;
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

std::vector<float> values(const StoredTensor& t) {
    EXPECT_EQ(t.dtype, DType::Float32);
    std::vector<float> out(static_cast<std::size_t>(t.numel()));
    // Golden tensors are contiguous; walk strides anyway to test them.
    std::vector<std::int64_t> idx(t.sizes.size(), 0);
    for (std::size_t k = 0; k < out.size(); ++k) {
        std::int64_t off = static_cast<std::int64_t>(t.offset);
        for (std::size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides[d];
        std::memcpy(&out[k], t.storage + off * 4, 4);
        for (std::size_t d = idx.size(); d-- > 0;) {
            if (++idx[d] < t.sizes[d]) break;
            idx[d] = 0;
        }
    }
    return out;
}

const auto kGolden = samtok::test::sharedDir() / "golden/samtok-micro";

}  // namespace

TEST(Checkpoint, ReadsTheGoldenTokenizerAndSam2Files) {
    const Checkpoint tok = Checkpoint::open((kGolden / "mask_tokenizer.pth").string());
    EXPECT_EQ(tok.format(), "pytorch-zip");
    EXPECT_EQ(tok.tensors().size(), 401u);
    const StoredTensor& cb = tok.tensors().at("quantizer.codebooks.0.weight");
    EXPECT_EQ(cb.sizes, (std::vector<std::int64_t>{257, 32}));
    EXPECT_TRUE(tok.tensors().count("model.sam2_model.sam_mask_encoder.mask_tokens.weight"));

    const Checkpoint sam = Checkpoint::open((kGolden / "sam2_micro.pt").string());
    EXPECT_EQ(sam.tensors().size(), 312u);  // unwrapped from {"model": ...}
    EXPECT_TRUE(sam.tensors().count("image_encoder.trunk.pos_embed"));

    // The plain-dict copy holds the same values under the same names.
    const Checkpoint plain = Checkpoint::open((kGolden / "tensors_plain.pth").string());
    ASSERT_EQ(plain.tensors().size(), tok.tensors().size());
    for (const auto& [name, t] : tok.tensors()) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(plain.tensors().count(name));
        EXPECT_EQ(values(plain.tensors().at(name)), values(t));
    }
}

TEST(Checkpoint, SafetensorsRoundTrip) {
    TempDir dir;
    const std::vector<float> a{1.5f, -2.f, 3.25f, 0.f, 7.f, 8.f};
    const std::vector<std::uint16_t> h{0x3c00, 0xc000};  // 1.0, -2.0 in half
    writeSafetensors(
        dir.file("m.safetensors"),
        {{"layer.weight", DType::Float32, {2, 3}, a.data()}, {"layer.half", DType::Float16, {2}, h.data()}},
        {{"config", "{}"}});
    const Checkpoint c = Checkpoint::open(dir.file("m.safetensors"));
    EXPECT_EQ(c.format(), "safetensors");
    EXPECT_EQ(c.metadata().at("config"), "{}");
    EXPECT_EQ(values(c.tensors().at("layer.weight")), a);
    EXPECT_EQ(c.tensors().at("layer.half").dtype, DType::Float16);
    // Cut in the data section: refused, naming the tensor.
    const std::string bytes = slurp(dir.file("m.safetensors"));
    expectRefused(write(dir, "cut.safetensors", bytes.substr(0, bytes.size() - 10)), "outside the file");
}

TEST(Checkpoint, AcceptsAWellFormedHandMadeCheckpoint) {
    TempDir dir;
    const std::string storage(16, '\0');
    const auto path = write(dir, "ok.pth", makeZip({{"a/data.pkl", tensorPickle(4, 4)}, {"a/data/0", storage}}));
    const Checkpoint c = Checkpoint::open(path);
    EXPECT_EQ(c.tensors().at("w").sizes, (std::vector<std::int64_t>{4}));
}

TEST(Checkpoint, RefusesAForbiddenGlobal) {
    TempDir dir;
    std::string evil =
        "\x80\x02"
        "cos\nsystem\n" +
        unicode("echo pwned") + "\x85R.";
    expectRefused(write(dir, "evil.pth", makeZip({{"a/data.pkl", evil}})), "forbidden global 'os.system'");
    std::string builtins =
        "\x80\x02"
        "cbuiltins\neval\n" +
        unicode("1") + "\x85R.";
    expectRefused(write(dir, "eval.pth", makeZip({{"a/data.pkl", builtins}})), "forbidden global 'builtins.eval'");
}

TEST(Checkpoint, RefusesAReduceOutsideTheWhitelist) {
    TempDir dir;
    // An allowed global used as a callable with arguments it never takes in a state dict.
    std::string odd =
        "\x80\x02"
        "ccollections\nOrderedDict\n(" +
        unicode("x") + "tR.";
    expectRefused(write(dir, "odd.pth", makeZip({{"a/data.pkl", odd}})), "OrderedDict with arguments");
    // A storage class called directly.
    std::string call =
        "\x80\x02"
        "ctorch\nFloatStorage\n)R.";
    expectRefused(write(dir, "call.pth", makeZip({{"a/data.pkl", call}})), "REDUCE of 'torch.FloatStorage'");
    // An opcode a state dict never uses (INST).
    expectRefused(write(dir, "inst.pth", makeZip({{"a/data.pkl", "\x80\x02(ios\nsystem\n."}})), "opcode 0x69");
}

TEST(Checkpoint, RefusesATruncatedFile) {
    TempDir dir;
    const std::string bytes = slurp((kGolden / "mask_tokenizer.pth").string());
    expectRefused(write(dir, "half.pth", bytes.substr(0, bytes.size() / 2)), "truncated");
    expectRefused(write(dir, "tiny.pth", bytes.substr(0, 10)), "truncated");
    // Pickle stream itself cut short.
    const std::string pkl = tensorPickle(4, 4);
    expectRefused(write(dir, "cutpkl.pth",
                        makeZip({{"a/data.pkl", pkl.substr(0, pkl.size() - 5)}, {"a/data/0", std::string(16, '\0')}})),
                  "truncated");
}

TEST(Checkpoint, RefusesAZipBomb) {
    TempDir dir;
    // A deflated entry claiming 4 GB: refused before anything is inflated.
    expectRefused(write(dir, "bomb.pth", makeZip({{"a/data.pkl", std::string(100, 'x')}}, 8, 0xFFFFFFF0u)),
                  "compressed");
}

TEST(Checkpoint, RefusesATensorWhoseStorageIsTooShort) {
    TempDir dir;
    // Declares 1000 floats, ships 16 bytes.
    expectRefused(write(dir, "short.pth",
                        makeZip({{"a/data.pkl", tensorPickle(1000, 1000)}, {"a/data/0", std::string(16, '\0')}})),
                  "shorter than declared");
    // Storage is right, but the view reaches past it.
    expectRefused(
        write(dir, "view.pth", makeZip({{"a/data.pkl", tensorPickle(4, 9)}, {"a/data/0", std::string(16, '\0')}})),
        "needs 9 elements");
}

TEST(Checkpoint, RefusesFilesThatAreNotCheckpoints) {
    TempDir dir;
    expectRefused(write(dir, "text.pth", "just some text, not a model at all"), "not a checkpoint");
    expectRefused(dir.file("missing.pth"), "No such file");
    expectRefused(write(dir, "nopkl.pth", makeZip({{"a/other", "x"}})), "no data.pkl");
}

// A model config also comes from a model file's metadata. Found by the mutation
// tests: a zero window divided by zero, and sizes that are not whole numbers in
// int's range were cast (undefined, or silently truncated: 4294967552 read as 256).
TEST(ModelConfig, RefusesSizesThatAreZeroFractionalOrOutOfRange) {
    std::ifstream in(std::string(SAMTOK_TEST_DATA) + "/samtok-micro.json");
    const auto micro = nlohmann::json::parse(in);
    EXPECT_NO_THROW(samtok::model::configFromJson(micro.dump()));
    const auto refused = [&](const std::string& section, const std::string& key, const nlohmann::json& value) {
        auto j = micro;
        (section.empty() ? j : j[section])[key] = value;
        try {
            samtok::model::configFromJson(j.dump());
        } catch (const std::invalid_argument& e) {
            return std::string(e.what()).rfind("model config: ", 0) == 0;
        }
        return false;
    };
    EXPECT_TRUE(refused("image_encoder", "window_spec", {0, 4, 16, 8}));
    EXPECT_TRUE(refused("mask_decoder", "num_heads", 0));
    EXPECT_TRUE(refused("image_encoder", "d_model", 64.5));
    EXPECT_TRUE(refused("", "image_size", 4294967552.0));
    EXPECT_TRUE(refused("", "image_size", 1e308));
    EXPECT_TRUE(refused("quantizer", "codebook_size", 2000000000));
    EXPECT_TRUE(refused("image_encoder", "stages", {1000, 2, 4, 1}));
    // Each size within its bound, their product not: 128 blocks a stage from width 2048 is 5e11 weights.
    auto huge = micro;
    huge["image_encoder"]["embed_dim"] = 2048;
    huge["image_encoder"]["stages"] = {128, 128, 128, 128};
    try {
        samtok::model::configFromJson(huge.dump());
        ADD_FAILURE() << "accepted a 5e11-weight trunk";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("over 2 billion weights"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(refused("", "image_size", 256.0));  // a float with a whole value is a whole number
}
