// Reading shard files back: merging a project's into it, loading a source's into a project for an export. Plain
// core (no network): a merge or an export of shards needs no model.
#include "dataset/ImportTarget.h"
#include "mask/CocoRle.h"
#include "pipeline/ShardFile.h"
#include "pipeline/Shards.h"
#include "pipeline/SourceShards.h"
#include "store/Sqlite.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::pipeline {

int shardOf(const std::string& checksum, int count) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across machines and builds
    for (unsigned char c : checksum) h = (h ^ c) * 1099511628211ull;
    return static_cast<int>(h % static_cast<std::uint64_t>(count));
}

std::string shardFileName(const std::string& sha, const ShardSpec& s) {
    char name[96];
    std::snprintf(name, sizeof name, "tokens-%s-shard-%04d-of-%04d.jsonl", sha.substr(0, 12).c_str(), s.index, s.count);
    return name;
}

std::string shardFilePath(const std::string& outDir, const std::string& sha, const ShardSpec& s) {
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec) throw UserError("cannot create '" + outDir + "': " + ec.message());
    return (fs::path(outDir) / shardFileName(sha, s)).string();
}

std::string maskDigest(const Annotation& a) {
    const auto& c = a.mask.counts;
    const std::string size = std::to_string(a.mask.height) + "x" + std::to_string(a.mask.width) + ":";
    return sha256Bytes((size + std::string(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(c[0]))).data(),
                       size.size() + c.size() * sizeof(c[0]))
        .substr(0, 16);
}

namespace {

// Every shard file of one run in `dir`, checked whole, and every image in them this project's.
std::vector<CheckedShard> checkedShards(const ProjectStore& project, const std::string& dir) {
    std::vector<CheckedShard> shards = checkedShardSet(dir);
    if (shards.front().content.header.contains("source"))
        throw UserError("'" + shards.front().file + "' was tokenized from '" +
                        shards.front().content.header["source"].value("path", "") +
                        "', not from a project: export it with `samtok export mllm --shards " + dir + "`");
    // Every image and region must be this project's.
    for (const CheckedShard& s : shards)
        for (const auto& [line, j] : s.content.images) {
            if (!j.value("image", json()).is_number_integer() || !j.value("checksum", json()).is_string())
                throw UserError("'" + s.file + "' line " + std::to_string(line) + ": no image id and checksum");
            const RowId id = j.value("image", RowId(0));
            const auto image = project.image(id);
            const std::string at = "'" + s.file + "' line " + std::to_string(line);
            if (!image || image->checksum != j.value("checksum", ""))
                throw UserError(at + ": image " + std::to_string(id) + " is not in this project (another project?)");
        }
    return shards;
}

}  // namespace

MergeResult mergeShards(ProjectStore& project, const std::string& dir) {
    const std::vector<CheckedShard> shards = checkedShards(project, dir);
    const json& tok = shards.front().content.header["tokenizer"];
    MergeResult r;
    r.shards = static_cast<int>(shards.size());
    r.tokenizer = tok.value("name", "");
    r.tokenizerSha256 = tok.value("sha256", "");
    const int codebookSize = shardCodebookSize(shards.front().content.header);
    const RowId tokenizerId =
        project.registerTokenizer({0, tok.value("name", ""), tok.value("config", ""), tok.value("sha256", "")});
    for (const CheckedShard& s : shards)
        project.transaction([&] {
            for (const auto& [line, j] : s.content.images) try {
                    for (const auto& t : j.value("tokens", json::array())) {
                        const RowId annotation = t.at(0).get<RowId>();
                        const auto now = project.annotation(annotation);
                        if (!now || now->imageId != j.value("image", RowId(0)) || maskDigest(*now) != t.at(4)) {
                            ++r.stale;  // changed or removed since its shard ran: its tokens would be wrong
                            continue;
                        }
                        MaskTokens m = shardCodes(t.at(1), t.at(2), t.at(3), codebookSize);
                        m.annotationId = annotation;
                        m.tokenizerId = tokenizerId;
                        project.setTokens(m);
                        ++r.annotations;
                    }
                } catch (const std::exception& e) {  // a line of the wrong shape: nothing of this shard is written
                    throw UserError("'" + s.file + "' line " + std::to_string(line) + ": " + e.what());
                }
        });
    return r;
}

namespace {

// One line of a source shard into the project: the image (by its checksum), its regions and their tokens.
void loadLine(ProjectStore& project, dataset::ImportTarget& target, RowId tokenizerId, int codebookSize, const json& j,
              LoadedShards& r) {
    const auto& regions = j.at("regions");
    if (regions.empty()) return;
    const std::string checksum = j.at("checksum").get<std::string>();
    if (checksum.size() != 64 || checksum.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw FormatError("the image checksum is not a SHA-256");
    const int width = dataset::jsonSize(j.at("width"), "width"), height = dataset::jsonSize(j.at("height"), "height");
    RowId id = 0;
    if (const auto known = project.findImageByChecksum(checksum))
        id = *known;
    else
        id = project.addImage({j.at("file").get<std::string>(), width, height, checksum}), ++r.images;
    const dataset::ImportTarget::Image image{id, width, height};
    for (const auto& g : regions) {
        const auto& m = g.at("mask");
        Rle mask = rle::fromString(m.at("counts").get<std::string>(), height, width);
        if (dataset::jsonSize(m.at("size").at(0), "size") != height ||
            dataset::jsonSize(m.at("size").at(1), "size") != width)
            throw FormatError("a mask's size is not its image's");
        const RowId a = target.add(image, g.at("label").get<std::string>(), std::move(mask));
        MaskTokens codes = shardCodes(g.at("c0"), g.at("c1"), g.at("iou"), codebookSize);
        codes.annotationId = a;
        codes.tokenizerId = tokenizerId;
        project.setTokens(codes);
        ++r.annotations;
    }
}

}  // namespace

LoadedShards loadSourceShards(ProjectStore& project, const std::string& dir) {
    const std::vector<CheckedShard> shards = checkedShardSet(dir);
    const json& header = shards.front().content.header;
    if (!header.contains("source"))
        throw UserError("'" + shards.front().file + "' was tokenized from a project: export it with that project, " +
                        "`samtok export mllm PROJECT --shards " + dir + "`");
    const json& tok = header["tokenizer"];
    LoadedShards r;
    r.shards = static_cast<int>(shards.size());
    r.tokenizer = tok.value("name", "");
    r.tokenizerId =
        project.registerTokenizer({0, tok.value("name", ""), tok.value("config", ""), tok.value("sha256", "")});
    const int codebookSize = shardCodebookSize(header);
    dataset::ImportReport report;
    for (const CheckedShard& s : shards)
        project.transaction([&] {
            dataset::ImportTarget target(project, report);
            for (const auto& [line, j] : s.content.images) try {
                    if (!j.contains("skipped")) loadLine(project, target, r.tokenizerId, codebookSize, j, r);
                } catch (const std::exception& e) {  // the JSON library's errors, a damaged mask, a bad size
                    throw UserError("'" + s.file + "' line " + std::to_string(line) + ": " + e.what());
                }
        });
    return r;
}

LoadedShards copyWithShards(const ProjectStore& project, const std::string& dir, const std::string& copyPath) {
    std::error_code ec;
    fs::remove(copyPath, ec);
    std::string quoted;
    for (char c : copyPath) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    try {
        project.database().exec("VACUUM INTO '" + quoted + "'");
    } catch (const std::exception& e) {
        throw UserError("cannot copy '" + project.path() + "' to '" + copyPath + "': " + e.what());
    }
    ProjectStore copy = ProjectStore::open(copyPath);
    // The copy lives elsewhere: image paths stored relative to the project's folder become absolute.
    copy.transaction([&] {
        auto& update = copy.database().prepare("UPDATE images SET path = ? WHERE id = ?");
        for (const ImageRecord& im : project.images())
            update.bind(1, project.resolveImagePath(im)).bind(2, static_cast<std::int64_t>(im.id)).run();
    });
    const MergeResult m = mergeShards(copy, dir);
    LoadedShards r;
    r.shards = m.shards;
    r.tokenizer = m.tokenizer;
    r.annotations = m.annotations;
    r.images = static_cast<std::size_t>(copy.imageCount());
    for (const auto& t : copy.tokenizers())
        if (t.checkpointSha256 == m.tokenizerSha256) r.tokenizerId = t.id;
    return r;
}

}  // namespace samtok::pipeline
