#include "pipeline/Shards.h"

#include "model/ModelConfig.h"
#include "pipeline/ProjectTokenizer.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::pipeline {

ShardSpec parseShard(const std::string& text) {
    static const std::regex form(R"((auto|\d+)/(\d+))");
    std::smatch m;
    if (!std::regex_match(text, m, form)) throw UserError("--shard '" + text + "': write K/N or auto/N");
    ShardSpec s;
    s.count = std::stoi(m[2]);
    if (m[1] == "auto") {
        const char* slurm = std::getenv("SLURM_ARRAY_TASK_ID");
        const char* k8s = std::getenv("JOB_COMPLETION_INDEX");
        if (slurm && *slurm) {
            const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");  // an array may start at 1
            s.index = std::atoi(slurm) - (min && *min ? std::atoi(min) : 0);
        } else if (k8s && *k8s) {
            s.index = std::atoi(k8s);
        } else {
            throw UserError("--shard auto/N needs SLURM_ARRAY_TASK_ID (Slurm) or JOB_COMPLETION_INDEX (Kubernetes)");
        }
    } else {
        s.index = std::stoi(m[1]);
    }
    if (s.count < 1 || s.index < 0 || s.index >= s.count)
        throw UserError("--shard " + text + ": the shard must be 0.." + std::to_string(s.count - 1) + " of " +
                        std::to_string(s.count));
    return s;
}

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

std::string maskDigest(const Annotation& a) {
    const auto& c = a.mask.counts;
    const std::string size = std::to_string(a.mask.height) + "x" + std::to_string(a.mask.width) + ":";
    return sha256Bytes((size + std::string(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(c[0]))).data(),
                       size.size() + c.size() * sizeof(c[0]))
        .substr(0, 16);
}

namespace {

// A shard file read back: its header, the image lines, whether it is finished, and where its last whole line ends.
struct ShardFile {
    json header;
    std::vector<std::pair<int, json>> images;  // line number, line
    std::optional<json> done;
    std::uintmax_t wholeBytes = 0;
    std::string problem;  // a damaged line before the end: not a torn last write
};

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

void appendLine(int fd, const std::string& path, const json& j) {
    const std::string line = j.dump() + "\n";
    for (std::size_t off = 0; off < line.size();) {
        const ssize_t n = ::write(fd, line.data() + off, line.size() - off);
        if (n < 0) throw UserError("cannot write '" + path + "': " + std::strerror(errno));
        off += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) throw UserError("cannot write '" + path + "': " + std::strerror(errno));
}

json headerFor(const ActiveModel& model, const ShardSpec& s, std::size_t images) {
    return {{"samtok_shard", 1},
            {"shard", s.index},
            {"shards", s.count},
            {"tokenizer",
             {{"name", model.name()}, {"sha256", model.sha256()}, {"config", model::configToJson(model.config())}}},
            {"images", images}};
}

}  // namespace

ShardRun tokenizeShard(const ProjectStore& project, const ActiveModel& model, const ShardSpec& shard,
                       const std::string& outDir, const std::function<void(std::size_t, std::size_t)>& progress,
                       const std::atomic<bool>* stop) {
    ShardRun run;
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec) throw UserError("cannot create '" + outDir + "': " + ec.message());
    run.file = (fs::path(outDir) / shardFileName(model.sha256(), shard)).string();
    std::vector<ImageRecord> mine;
    for (ImageRecord& im : project.images())
        if (shardOf(im.checksum, shard.count) == shard.index) mine.push_back(std::move(im));
    std::optional<RowId> tokenizerId;
    for (const auto& t : project.tokenizers())
        if (t.checkpointSha256 == model.sha256()) tokenizerId = t.id;

    std::set<RowId> done;
    const json header = headerFor(model, shard, mine.size());
    const bool exists = fs::exists(run.file, ec);
    if (exists) {
        ShardFile f = readShardFile(run.file);
        if (!f.problem.empty()) throw UserError("'" + run.file + "': " + f.problem + "; remove it to start over");
        if (f.wholeBytes > 0 &&
            (f.header.value("shard", -1) != shard.index || f.header.value("shards", -1) != shard.count ||
             f.header["tokenizer"].value("sha256", "") != model.sha256()))
            throw UserError("'" + run.file + "' was written for another shard or tokenizer");
        if (f.done) {
            run.alreadyDone = true;
            run.images = f.images.size();
            return run;
        }
        for (const auto& [n, j] : f.images) {
            done.insert(j.value("image", RowId(0)));
            run.annotations += j.value("tokens", json::array()).size();
        }
        run.imagesBefore = done.size();
        fs::resize_file(run.file, f.wholeBytes, ec);  // a torn last line goes
        if (ec) throw UserError("cannot repair '" + run.file + "': " + ec.message());
    }
    const int fd = ::open(run.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw UserError("cannot write '" + run.file + "': " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (fs::file_size(run.file) == 0) appendLine(fd, run.file, header);

    std::size_t step = 0;
    for (const ImageRecord& im : mine) {
        if (progress) progress(step, mine.size());
        ++step;
        if (done.count(im.id)) continue;
        if (stop && stop->load()) return run;
        json line{{"image", im.id}, {"checksum", im.checksum}, {"tokens", json::array()}};
        try {
            std::vector<DamagedAnnotation> damaged;
            const ImageTokens t = computeImageTokens(project, model.tokenizer(), tokenizerId, im.id, {}, &damaged);
            for (std::size_t i = 0; i < t.tokens.size(); ++i)
                line["tokens"].push_back(
                    {t.tokens[i].annotationId, t.tokens[i].c0, t.tokens[i].c1,
                     t.tokens[i].reconstructionIou ? json(*t.tokens[i].reconstructionIou) : json(nullptr),
                     maskDigest(t.annotations[i])});
            for (const auto& d : damaged) run.skipped.push_back(im.path + ": " + d.reason);
            run.annotations += t.tokens.size();
        } catch (const UserError& e) {  // an unreadable image: said, and left for a single-machine run
            line["skipped"] = e.what();
            run.skipped.push_back(im.path + ": " + e.what());
        }
        appendLine(fd, run.file, line);
        ++run.images;
    }
    if (progress) progress(mine.size(), mine.size());
    appendLine(fd, run.file, {{"done", true}, {"images", mine.size()}, {"annotations", run.annotations}});
    return run;
}

namespace {

struct CheckedShard {
    std::string file;
    ShardFile content;
};

// Every shard file of one tokenizer and shard count in `dir`, each checked whole; throws UserError naming the
// first problem.
std::vector<CheckedShard> checkedShards(const ProjectStore& project, const std::string& dir) {
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
    std::map<int, std::string> byIndex;
    for (CheckedShard& s : shards) {
        s.content = readShardFile(s.file);
        const ShardFile& f = s.content;
        const std::string at = "'" + s.file + "'";
        if (!f.problem.empty()) throw UserError(at + ": " + f.problem);
        if (f.header.value("samtok_shard", 0) != 1) throw UserError(at + ": not a SAMTok shard file");
        if (!f.done) throw UserError(at + ": not finished (its shard is still running, or was stopped: run it again)");
        if (f.done->value("images", std::size_t(0)) != f.images.size())
            throw UserError(at + ": truncated (" + std::to_string(f.images.size()) + " of " +
                            std::to_string(f.done->value("images", 0)) + " images)");
        const std::string fsha = f.header["tokenizer"].value("sha256", "");
        const int fcount = f.header.value("shards", -1), index = f.header.value("shard", -1);
        if (sha.empty()) sha = fsha, count = fcount;
        if (fsha != sha || fcount != count)
            throw UserError(at + ": another tokenizer or shard count than '" + shards.front().file +
                            "' (merge one run at a time)");
        if (!byIndex.emplace(index, s.file).second)
            throw UserError(at + ": shard " + std::to_string(index) + " twice (also '" + byIndex[index] + "')");
    }
    std::string missing;
    for (int k = 0; k < count; ++k)
        if (!byIndex.count(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
    if (!missing.empty())
        throw UserError("shard(s) " + missing + " of " + std::to_string(count) + " missing in '" + dir + "'");
    // Every image and region must be this project's.
    for (const CheckedShard& s : shards)
        for (const auto& [line, j] : s.content.images) {
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
    const RowId tokenizerId =
        project.registerTokenizer({0, tok.value("name", ""), tok.value("config", ""), tok.value("sha256", "")});
    for (const CheckedShard& s : shards)
        project.transaction([&] {
            for (const auto& [line, j] : s.content.images)
                for (const auto& t : j.value("tokens", json::array())) {
                    const RowId annotation = t.at(0).get<RowId>();
                    const auto now = project.annotation(annotation);
                    if (!now || now->imageId != j.value("image", RowId(0)) || maskDigest(*now) != t.at(4)) {
                        ++r.stale;  // changed or removed since its shard ran: its tokens would be wrong
                        continue;
                    }
                    MaskTokens m;
                    m.annotationId = annotation;
                    m.tokenizerId = tokenizerId;
                    m.c0 = t.at(1).get<int>();
                    m.c1 = t.at(2).get<int>();
                    if (!t.at(3).is_null()) m.reconstructionIou = t.at(3).get<double>();
                    project.setTokens(m);
                    ++r.annotations;
                }
        });
    return r;
}

}  // namespace samtok::pipeline
