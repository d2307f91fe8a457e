#include "pipeline/Shards.h"

#include "model/ModelConfig.h"
#include "pipeline/ProjectTokenizer.h"
#include "pipeline/ShardFile.h"
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

json headerFor(const ActiveModel& model, const ShardSpec& s, std::size_t images) {
    return {{"samtok_shard", 1},
            {"shard", s.index},
            {"shards", s.count},
            {"tokenizer",
             {{"name", model.name()}, {"sha256", model.sha256()}, {"config", model::configToJson(model.config())}}},
            {"images", images}};
}

ShardRun tokenizeShard(const ProjectStore& project, const ActiveModel& model, const ShardSpec& shard,
                       const std::string& outDir, const std::function<void(std::size_t, std::size_t)>& progress,
                       const std::atomic<bool>* stop) {
    ShardRun run;
    run.file = shardFilePath(outDir, model.sha256(), shard);
    std::vector<ImageRecord> mine;
    for (ImageRecord& im : project.images())
        if (shardOf(im.checksum, shard.count) == shard.index) mine.push_back(std::move(im));
    std::optional<RowId> tokenizerId;
    for (const auto& t : project.tokenizers())
        if (t.checkpointSha256 == model.sha256()) tokenizerId = t.id;

    std::set<RowId> done;
    ShardAppender file(run.file, headerFor(model, shard, mine.size()), shard, model.sha256());
    if (file.finished()) {
        run.alreadyDone = true;
        run.images = file.lines().size();
        return run;
    }
    for (const auto& [n, j] : file.lines()) {
        done.insert(j.value("image", RowId(0)));
        run.annotations += j.value("tokens", json::array()).size();
    }
    run.imagesBefore = done.size();

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
        file.append(line);
        ++run.images;
    }
    if (progress) progress(mine.size(), mine.size());
    file.append({{"done", true}, {"images", mine.size()}, {"annotations", run.annotations}});
    return run;
}

}  // namespace samtok::pipeline
