// The rows of docs/bad-input.md: each writes one bad input and names the samtok command that reads it.
#include "BadInputRows.h"

#include "CliRun.h"
#include "TinyModel.h"
#include "mask/CocoRle.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <zlib.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::test {
namespace {

std::string put(const TempDir& d, const std::string& name, const std::string& bytes) {
    fs::create_directories(fs::path(d.file(name)).parent_path());
    std::ofstream(d.file(name), std::ios::binary) << bytes;
    return d.file(name);
}

std::string image(const TempDir& d, const std::string& name = "photo.png", int w = 64, int h = 48) {
    cv::imwrite(d.file(name), cv::Mat(h, w, CV_8UC3, cv::Scalar(30, 90, 160)));
    return d.file(name);
}

std::string mask(const TempDir& d, const std::string& name, int w, int h) {
    cv::Mat m(h, w, CV_8U, cv::Scalar(0));
    m(cv::Rect(2, 2, w / 2, h / 2)).setTo(255);
    cv::imwrite(d.file(name), m);
    return d.file(name);
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string project(const TempDir& d) {
    runCli("project init " + d.file("p.samtok"));
    return d.file("p.samtok");
}

std::string u64(std::uint64_t v) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (8 * i));
    return s;
}

// A PNG that is only a header claiming w x h pixels.
// A new project, then changed by SQL as another program (or damage) might change it.
std::string projectEditedBy(const TempDir& d, const char* sql) {
    const std::string p = project(d);
    sqlite3* db = nullptr;
    sqlite3_open(p.c_str(), &db);
    sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return p;
}

std::string pngHeader(std::uint32_t w, std::uint32_t h) {
    std::string ihdr = "IHDR";
    for (std::uint32_t v : {w, h})
        for (int i = 3; i >= 0; --i) ihdr += static_cast<char>(v >> (8 * i));
    ihdr += std::string("\x08\x02\x00\x00\x00", 5);
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(ihdr.data()), static_cast<uInt>(ihdr.size()));
    std::string chunk = std::string("\x00\x00\x00\x0d", 4) + ihdr;
    for (int i = 3; i >= 0; --i) chunk += static_cast<char>(crc >> (8 * i));
    return "\x89PNG\r\n\x1a\n" + chunk;
}

std::string cocoImport(const TempDir& d, const json& coco) {
    image(d, "img/a.png");
    return "import coco " + project(d) + " " + put(d, "instances.json", coco.dump()) + " --images " + d.file("img");
}

json cocoWith(const json& annotation,
              const json& imageEntry = {{"id", 1}, {"file_name", "a.png"}, {"width", 64}, {"height", 48}}) {
    return {{"images", {imageEntry}}, {"categories", {{{"id", 1}, {"name", "cup"}}}}, {"annotations", {annotation}}};
}

std::string validate(const TempDir& d, const std::string& line) {
    image(d);
    return "validate " + put(d, "train.jsonl", line + "\n");
}

std::string record(const std::string& answer) {
    return json{{"image", "photo.png"},
                {"conversations",
                 {{{"from", "human"}, {"value", "<image>\nSegment the cup."}}, {{"from", "gpt"}, {"value", answer}}}}}
        .dump();
}

std::string shard(const TempDir& d, const std::string& header, const std::string& rest) {
    fs::create_directories(d.file("shards"));
    put(d, "shards/tokens-abcdefabcdef-shard-0000-of-0002.jsonl", header + "\n" + rest);
    return "tokens merge " + project(d) + " " + d.file("shards");
}

const std::string kShardHeader =
    R"({"samtok_shard": 1, "shard": 0, "shards": 2, "tokenizer": {"name": "m", "config": "{}", "sha256": ")" +
    std::string(64, 'a') + R"("}, "images": 0})";

std::vector<BadInput> imageRows() {
    return {
        {"a JPEG cut off halfway", "images (OpenCV, libjpeg)",
         [](const TempDir& d) {
             cv::Mat m(200, 200, CV_8UC3);
             cv::randu(m, 0, 255);
             cv::imwrite(d.file("full.jpg"), m);
             const std::string b = fileBytes(d.file("full.jpg"));
             return "encode --image " + put(d, "cut.jpg", b.substr(0, b.size() / 2)) + " --mask " +
                    mask(d, "m.png", 200, 200);
         },
         "cut.jpg"},
        {"a text file named .png", "images",
         [](const TempDir& d) {
             return "encode --image " + put(d, "x.png", "hello") + " --mask " + mask(d, "m.png", 8, 8);
         },
         "x.png"},
        {"an empty image file", "images",
         [](const TempDir& d) { return "encode --image " + put(d, "e.jpg", "") + " --mask " + mask(d, "m.png", 8, 8); },
         "e.jpg"},
        {"a PNG header claiming 100000 x 100000 pixels", "images",
         [](const TempDir& d) {
             return "encode --image " + put(d, "huge.png", pngHeader(100000, 100000)) + " --mask " +
                    mask(d, "m.png", 8, 8);
         },
         "huge.png"},
        {"a mask PNG whose chunk claims more bytes than the file has", "masks",
         [](const TempDir& d) {
             const std::string chunk("\x48\x00\x00\x00sPLT\x00\x00\x00\x00", 12);  // 1.2 GB declared, none there
             return "encode --image " + image(d, "a.png") + " --mask " + put(d, "long.png", pngHeader(8, 8) + chunk);
         },
         "long.png"},
        {"a mask whose size differs from its image", "encode",
         [](const TempDir& d) { return "encode --image " + image(d) + " --mask " + mask(d, "m.png", 20, 20); },
         "but the image is 64x48"},
        {"a mask file that is not an image", "masks",
         [](const TempDir& d) { return "mask rle " + put(d, "m.png", "not a png"); }, "m.png"},
    };
}

std::vector<BadInput> modelRows() {
    const auto info = [](const std::string& path) { return "model info " + path; };
    return {
        {"a .pth checkpoint cut off halfway", "checkpoints (zip)",
         [info](const TempDir& d) {
             const std::string b = fileBytes((sharedDir() / "golden/samtok-micro/mask_tokenizer.pth").string());
             return info(put(d, "cut.pth", b.substr(0, b.size() / 2)));
         },
         "cut.pth"},
        {"random bytes named model.pth", "checkpoints",
         [info](const TempDir& d) { return info(put(d, "model.pth", std::string(4096, '\x5a'))); }, "model.pth"},
        {"a safetensors header length beyond the file", "safetensors",
         [info](const TempDir& d) { return info(put(d, "m.safetensors", u64(1000000000000ull) + "{}")); },
         "m.safetensors"},
        {"a safetensors header that is not JSON", "safetensors",
         [info](const TempDir& d) { return info(put(d, "m.safetensors", u64(10) + "not json!!")); }, "m.safetensors"},
        {"a safetensors tensor whose data lies past the end", "safetensors",
         [info](const TempDir& d) {
             const std::string h = R"({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})";
             return info(put(d, "m.safetensors", u64(h.size()) + h));
         },
         "m.safetensors"},
        {"a safetensors file of another model's weights", "weight loader",
         [info](const TempDir& d) {
             const std::string h = R"({"foo.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})";
             return info(put(d, "m.safetensors", u64(h.size()) + h + std::string(4, '\0')));
         },
         "m.safetensors"},
        {"a model config with embed_dim 0", "model config",
         [](const TempDir& d) {
             json c = json::parse(tinyConfigJson("bad", 64));
             c["image_encoder"]["embed_dim"] = 0;
             return "bench --random --masks 1 --repeat 1 --config " + put(d, "c.json", c.dump());
         },
         "embed_dim"},
        {"a model config that is not JSON", "model config",
         [](const TempDir& d) { return "bench --random --masks 1 --repeat 1 --config " + put(d, "c.json", "{oops"); },
         "c.json"},
        {"a model config with a window larger than its stage", "model config",
         [](const TempDir& d) {
             json c = json::parse(tinyConfigJson("bad", 64));
             c["image_encoder"]["stages"] = json::array({1, 1, 1});
             return "bench --random --masks 1 --repeat 1 --config " + put(d, "c.json", c.dump());
         },
         "stages"},
        {"a model name that is not known", "model catalog",
         [](const TempDir& d) {
             return "encode --model no-such-model --image " + image(d) + " --mask " + mask(d, "m.png", 64, 48);
         },
         "no-such-model"},
    };
}

std::vector<BadInput> tokenRows() {
    const auto decode = [](const TempDir& d, const std::string& text) {
        return "decode --image " + image(d) + " --out-dir " + d.file("out") + " --tokens '" + text + "'";
    };
    return {
        {"a code beyond the codebook", "token text",
         [decode](const TempDir& d) { return decode(d, "<|mt_start|><|mt_0999|><|mt_0300|><|mt_end|>"); },
         "no mask token group"},
        {"text with no mask token group", "token text",
         [decode](const TempDir& d) { return decode(d, "a cup on the table"); }, "no mask token group"},
        {"a group without its end token", "token text",
         [decode](const TempDir& d) { return decode(d, "<|mt_start|><|mt_0001|><|mt_0300|>"); }, "no mask token group"},
    };
}

}  // namespace

std::vector<BadInput> importRows();  // BadInputImportRows.cpp

std::vector<BadInput> badInputs() {
    std::vector<BadInput> rows;
    for (auto part : {imageRows(), modelRows(), tokenRows(), importRows()})
        rows.insert(rows.end(), part.begin(), part.end());
    const auto more = std::vector<BadInput>{
        {"a text file named project.samtok", "projects",
         [](const TempDir& d) { return "project info " + put(d, "project.samtok", "hello"); }, "project.samtok"},
        {"a project file cut in half", "projects",
         [](const TempDir& d) {
             runCli("project sample " + d.file("s"));
             const std::string b = fileBytes(d.file("s/sample.samtok"));
             return "project info " + put(d, "half.samtok", b.substr(0, b.size() / 2));
         },
         "half.samtok"},
        {"a project made by a newer samtok", "projects",
         [](const TempDir& d) { return "project info " + projectEditedBy(d, "PRAGMA user_version = 99"); }, "p.samtok"},
        {"a project whose tables another program changed", "projects",
         [](const TempDir& d) {
             return "project info " + projectEditedBy(d, "ALTER TABLE annotations RENAME COLUMN created_at TO made_at");
         },
         "p.samtok"},
        {"a project that does not exist", "projects",
         [](const TempDir& d) { return "project info " + d.file("none.samtok"); }, "none.samtok"},
        {"a JSONL line that is not JSON", "fine-tuning files",
         [](const TempDir& d) { return validate(d, "{\"image\": "); }, "train.jsonl:1"},
        {"a record without conversations", "fine-tuning files",
         [](const TempDir& d) { return validate(d, R"({"image": "photo.png"})"); }, "train.jsonl:1"},
        {"an answer with a broken mask token group", "fine-tuning files",
         [](const TempDir& d) { return validate(d, record("<|mt_start|><|mt_0001|>")); }, "train.jsonl:1"},
        {"an answer with a second code out of range", "fine-tuning files",
         [](const TempDir& d) { return validate(d, record("<|mt_start|><|mt_0001|><|mt_0100|><|mt_end|>")); },
         "train.jsonl:1"},
        {"a dataset name with a slash", "export",
         [](const TempDir& d) { return "export mllm " + project(d) + " " + d.file("out") + " --name a/b"; },
         "must be letters"},
        {"a val share of 1.5", "export",
         [](const TempDir& d) { return "export mllm " + project(d) + " " + d.file("out") + " --val 1.5"; },
         "val share"},
        {"a templates file that is not JSON", "export",
         [](const TempDir& d) {
             return "export mllm " + project(d) + " " + d.file("out") + " --templates " + put(d, "t.json", "[oops");
         },
         "t.json"},
        {"records in parts for a trainer that reads one file", "export",
         [](const TempDir& d) {
             return "export mllm " + project(d) + " " + d.file("out") + " --target llava --records-per-file 10";
         },
         "--records-per-file"},
        {"a shard file with a damaged line", "shard files",
         [](const TempDir& d) { return shard(d, kShardHeader, "{oops\n{\"done\": true}\n"); }, "line 2 is damaged"},
        {"a shard file that did not finish", "shard files", [](const TempDir& d) { return shard(d, kShardHeader, ""); },
         "not finished"},
        {"a shard set with a shard missing", "shard files",
         [](const TempDir& d) { return shard(d, kShardHeader, "{\"done\": true, \"images\": 0}\n"); },
         "shard(s) 1 of 2 missing"},
        {"shards of an annotation source given to merge", "shard files",
         [](const TempDir& d) {
             json h = json::parse(kShardHeader);
             h["shards"] = 1;
             h["source"] = {{"kind", "coco"}, {"path", "/data/instances.json"}};
             fs::create_directories(d.file("shards"));
             put(d, "shards/tokens-abcdefabcdef-shard-0000-of-0001.jsonl",
                 h.dump() + "\n{\"done\": true, \"images\": 0}\n");
             return "tokens merge " + project(d) + " " + d.file("shards");
         },
         "not from a project"},
        {"a shard header whose tokenizer checksum is cut short", "shard files",
         [](const TempDir& d) {
             json h = json::parse(kShardHeader);
             h["tokenizer"]["sha256"] = "ab";
             return shard(d, h.dump(), "");
         },
         "names no tokenizer"},
        {"a source shard line with a negative code", "shard files",
         [](const TempDir& d) {
             json h = json::parse(kShardHeader);
             h["shards"] = 1;
             h["source"] = {{"kind", "coco"}, {"path", "/data/instances.json"}};
             const json line{
                 {"key", "1"},
                 {"file", d.file("a.png")},
                 {"width", 4},
                 {"height", 4},
                 {"checksum", std::string(64, 'c')},
                 {"regions",
                  {{{"id", 1},
                    {"label", "cup"},
                    {"mask",
                     {{"size", {4, 4}},
                      {"counts", rle::toString(rle::encode(Mask(4, 4, std::vector<std::uint8_t>(16, 1))))}}},
                    {"c0", -3},
                    {"c1", 5},
                    {"iou", nullptr}}}}};
             put(d, "shards/tokens-abcdefabcdef-shard-0000-of-0001.jsonl",
                 h.dump() + "\n" + line.dump() + "\n{\"done\": true, \"images\": 1}\n");
             return "export mllm --shards " + d.file("shards") + " " + d.file("out");
         },
         "a code -3 outside 0..255"},
        {"a shard number beyond the shard count", "command line",
         [](const TempDir& d) { return "tokenize " + project(d) + " --shard 5/4 --out " + d.file("s"); },
         "the shard must be 0..3"},
        {"a training project that does not exist", "training",
         [](const TempDir& d) { return "train " + d.file("run") + " --steps 1 --project " + d.file("none.samtok"); },
         "none.samtok"},
    };
    rows.insert(rows.end(), more.begin(), more.end());
    return rows;
}

}  // namespace samtok::test
