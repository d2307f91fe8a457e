#pragma once
// Tokenizing one project on many machines (a Slurm job array, a Kubernetes Indexed Job): shard K of N reads the
// project read-only and tokenizes the images whose checksum hashes to K, writing its tokens to a shard file of its
// own; `merge` then checks every shard file and writes them into the project, one transaction per shard.
//
// A shard file (DIR/tokens-<sha12>-shard-KKKK-of-NNNN.jsonl) is JSON lines, each written whole and synced:
//   {"samtok_shard": 1, "shard": K, "shards": N, "tokenizer": {"name", "sha256", "config"}, "images": n}
//   {"image": id, "checksum": "...", "tokens": [[annotation, c0, c1, iou, "mask digest"], ...]}   one per image
//   {"done": true, "images": n, "annotations": m}                                                 when finished
// A shard killed mid-line loses only that line: a rerun cuts it off and goes on from the images already there.
#include "pipeline/ActiveModel.h"
#include "store/ProjectStore.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace samtok::pipeline {

struct ShardSpec {
    int index = 0;
    int count = 1;
};
// "K/N", or "auto/N" taking K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX. Throws UserError.
ShardSpec parseShard(const std::string& text);
// The stable assignment: by the image's content checksum, so a region's tokens never come from two shards.
int shardOf(const std::string& imageChecksum, int count);
std::string shardFileName(const std::string& tokenizerSha256, const ShardSpec& shard);
// outDir/shardFileName(...), with outDir created. Throws UserError when it cannot be.
std::string shardFilePath(const std::string& outDir, const std::string& tokenizerSha256, const ShardSpec& shard);

struct ShardRun {
    std::string file;
    bool alreadyDone = false;  // finished before: nothing was done
    std::size_t images = 0, annotations = 0;
    std::size_t imagesBefore = 0;  // already in the file from an earlier, interrupted run
    std::vector<std::string> skipped;
};
ShardRun tokenizeShard(const ProjectStore& project, const ActiveModel& model, const ShardSpec& shard,
                       const std::string& outDir,
                       const std::function<void(std::size_t done, std::size_t total)>& progress = {},
                       const std::atomic<bool>* stop = nullptr);

struct MergeResult {
    int shards = 0;
    std::size_t annotations = 0;  // tokens written
    std::size_t stale = 0;        // left out: the region's mask changed (or it was deleted) since its shard ran
    std::string tokenizer, tokenizerSha256;
};
// Checks every shard file in `dir` for the project (same tokenizer and shard count, no shard missing or twice, each
// finished and whole, every image and region known) before writing anything; then one transaction per shard.
// Merging again changes nothing.
MergeResult mergeShards(ProjectStore& project, const std::string& dir);

// The digest of a stored mask a shard records, so that merge can tell a region changed since.
std::string maskDigest(const Annotation& a);

}  // namespace samtok::pipeline
