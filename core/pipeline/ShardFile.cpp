#include "pipeline/ShardFile.h"

#include "util/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::pipeline {

ShardFile readShardFile(const std::string& path) {
    ShardFile f;
    std::ifstream in(path, std::ios::binary);
    std::string line;
    std::uintmax_t at = 0;
    for (int n = 1; std::getline(in, line); ++n) {
        const bool whole = !in.eof();  // ended by a newline
        json j;
        try {
            j = json::parse(line);
        } catch (const json::exception&) {
            if (whole && in.peek() != EOF) f.problem = "line " + std::to_string(n) + " is damaged";
            break;
        }
        if (!whole) break;  // a torn last write: cut off
        if (!j.is_object()) {
            f.problem = "line " + std::to_string(n) + " is not a JSON object";
            break;
        }
        at += line.size() + 1;
        f.wholeBytes = at;
        if (n == 1)
            f.header = j;
        else if (j.value("done", false))
            f.done = j;
        else
            f.images.emplace_back(n, j);
    }
    return f;
}

ShardAppender::ShardAppender(const std::string& path, const json& header, const ShardSpec& shard,
                             const std::string& sha)
    : path_(path) {
    std::error_code ec;
    if (fs::exists(path, ec)) {
        content_ = readShardFile(path);
        if (!content_.problem.empty())
            throw UserError("'" + path + "': " + content_.problem + "; remove it to start over");
        const json& h = content_.header;
        if (content_.wholeBytes > 0 &&
            (h.value("shard", -1) != shard.index || h.value("shards", -1) != shard.count || !h.contains("tokenizer") ||
             !h["tokenizer"].is_object() || h["tokenizer"].value("sha256", "") != sha ||
             h.value("source", json()) != header.value("source", json())))
            throw UserError("'" + path + "' was written for another shard, tokenizer or source");
        if (content_.done) return;
        fs::resize_file(path, content_.wholeBytes, ec);  // a torn last line goes
        if (ec) throw UserError("cannot repair '" + path + "': " + ec.message());
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw UserError("cannot write '" + path + "': " + std::strerror(errno));
    if (content_.wholeBytes == 0) append(header);
}

ShardAppender::~ShardAppender() {
    if (fd_ >= 0) ::close(fd_);
}

void ShardAppender::append(const json& j) {
    const std::string line = j.dump() + "\n";
    for (std::size_t off = 0; off < line.size();) {
        const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
        if (n < 0) throw UserError("cannot write '" + path_ + "': " + std::strerror(errno));
        off += static_cast<std::size_t>(n);
    }
    if (::fsync(fd_) != 0) throw UserError("cannot write '" + path_ + "': " + std::strerror(errno));
}

namespace {

bool isSha256(const json& v) {
    return v.is_string() && v.get_ref<const std::string&>().size() == 64 &&
           v.get_ref<const std::string&>().find_first_not_of("0123456789abcdef") == std::string::npos;
}

// What the rest reads of a header, each of the type it is read as: else the file is named, not half-read.
void checkHeader(const json& h, const std::string& at) {
    if (!h.is_object() || h.value("samtok_shard", json()) != 1) throw UserError(at + ": not a SAMTok shard file");
    const json& t = h.value("tokenizer", json());
    if (!t.is_object() || !isSha256(t.value("sha256", json())) || !t.value("name", json()).is_string() ||
        !t.value("config", json()).is_string() || !json::accept(t["config"].get_ref<const std::string&>()))
        throw UserError(at + ": its header names no tokenizer (a name, a config and a 64-digit SHA-256)");
    const json &shard = h.value("shard", json()), &shards = h.value("shards", json());
    if (!shard.is_number_integer() || !shards.is_number_integer() || shards.get<std::int64_t>() < 1 ||
        shards.get<std::int64_t>() > 9999 || shard.get<std::int64_t>() < 0 ||
        shard.get<std::int64_t>() >= shards.get<std::int64_t>())
        throw UserError(at + ": its header's shard and shard count are not K of N (0 <= K < N <= 9999)");
    if (h.contains("source") && !h["source"].is_object())
        throw UserError(at + ": its header's source is not an object");
}

}  // namespace

int shardCodebookSize(const json& header) {
    try {
        const json c = json::parse(header.at("tokenizer").value("config", std::string("{}")));
        const json& k = c.at("quantizer").at("codebook_size");
        if (k.is_number_integer() && k.get<std::int64_t>() >= 1 && k.get<std::int64_t>() <= 65536) return k.get<int>();
    } catch (const json::exception&) {
    }
    return 256;
}

MaskTokens shardCodes(const json& c0, const json& c1, const json& iou, int codebookSize) {
    const auto code = [&](const json& c) {
        if (!c.is_number_integer() || c.get<std::int64_t>() < 0 || c.get<std::int64_t>() >= codebookSize)
            throw UserError("a code " + c.dump() + " outside 0.." + std::to_string(codebookSize - 1));
        return c.get<int>();
    };
    MaskTokens m;
    m.c0 = code(c0);
    m.c1 = code(c1);
    if (!iou.is_null()) {
        if (!iou.is_number() || !(iou.get<double>() >= 0 && iou.get<double>() <= 1))
            throw UserError("an IoU " + iou.dump() + " outside 0..1");
        m.reconstructionIou = iou.get<double>();
    }
    return m;
}

std::vector<CheckedShard> checkedShardSet(const std::string& dir) {
    static const std::regex name(R"(tokens-[0-9a-f]{12}-shard-(\d{4})-of-(\d{4})\.jsonl)");
    std::vector<CheckedShard> shards;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (std::regex_match(e.path().filename().string(), name)) shards.push_back({e.path().string(), {}});
    if (ec) throw UserError("cannot read '" + dir + "': " + ec.message());
    if (shards.empty()) throw UserError("'" + dir + "' holds no shard files (tokens-*-shard-*-of-*.jsonl)");
    std::sort(shards.begin(), shards.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
    std::string sha;
    int count = -1;
    json source;
    std::map<int, std::string> byIndex;
    for (CheckedShard& s : shards) {
        s.content = readShardFile(s.file);
        const ShardFile& f = s.content;
        const std::string at = "'" + s.file + "'";
        if (!f.problem.empty()) throw UserError(at + ": " + f.problem);
        checkHeader(f.header, at);
        if (!f.done) throw UserError(at + ": not finished (its shard is still running, or was stopped: run it again)");
        if (!f.done->value("images", json()).is_number_unsigned() ||
            f.done->value("images", std::size_t(0)) != f.images.size())
            throw UserError(at + ": truncated (" + std::to_string(f.images.size()) + " of " +
                            f.done->value("images", json(0)).dump() + " images)");
        const std::string fsha = f.header["tokenizer"].value("sha256", "");
        const int fcount = f.header.value("shards", -1), index = f.header.value("shard", -1);
        const json fsource = f.header.value("source", json());
        if (sha.empty()) sha = fsha, count = fcount, source = fsource;
        if (fsha != sha || fcount != count || fsource != source)
            throw UserError(at + ": another tokenizer, source or shard count than '" + shards.front().file +
                            "' (one run at a time)");
        if (!byIndex.emplace(index, s.file).second)
            throw UserError(at + ": shard " + std::to_string(index) + " twice (also '" + byIndex[index] + "')");
    }
    std::string missing;
    for (int k = 0; k < count; ++k)
        if (!byIndex.count(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
    if (!missing.empty())
        throw UserError("shard(s) " + missing + " of " + std::to_string(count) + " missing in '" + dir + "'");
    return shards;
}

}  // namespace samtok::pipeline
