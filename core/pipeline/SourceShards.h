#pragma once
// Tokenizing annotation files too large for a project (COCO / LVIS instances JSON, SA-1B folders) on a cluster, and
// reading the shard files back for an export, with no project at all.
//
// Shard K of N takes the source images whose key hashes to K (COCO: the image id; SA-1B: the JSON file's name), so
// no shard reads another's images; it reads their regions with the importers' own readers into a scratch project
// beside its shard file (removed when it ends) and writes the shard file of pipeline/Shards.h, whose header also
// names the source:
//   {"samtok_shard": 1, ..., "source": {"kind": "coco" | "sa1b", "path", "images"}}
//   {"key": "139", "file": "/abs/img.jpg", "width", "height", "checksum",
//    "regions": [{"id": source id, "label": "person", "mask": {"size": [h, w], "counts": "..."}, "c0", "c1", "iou"}]}
// Each line carries what an export needs (the image, each region's class and mask, its codes), so the records can
// be written from the shard files alone.
#include "pipeline/ActiveModel.h"
#include "pipeline/Shards.h"
#include "store/ProjectStore.h"

#include <atomic>
#include <functional>
#include <string>

namespace samtok::pipeline {

struct SourceSpec {
    enum class Kind { Coco, Sa1b };
    Kind kind = Kind::Coco;
    std::string path;       // absolute: the instances JSON, or the SA-1B folder
    std::string imageRoot;  // absolute: where images are looked up (default: the JSON's folder, the SA-1B folder)
};
// A .json file is a COCO / LVIS instances file, a folder an SA-1B folder; anything else is a UserError.
SourceSpec sourceFromPath(const std::string& path, const std::string& imageRoot = {});

// Tokenizes shard K of N of the source into `outDir`; resumes where its file ends, and does nothing when finished.
ShardRun tokenizeSourceShard(const SourceSpec& source, const ActiveModel& model, const ShardSpec& shard,
                             const std::string& outDir,
                             const std::function<void(std::size_t done, std::size_t total)>& progress = {},
                             const std::atomic<bool>* stop = nullptr);

struct LoadedShards {
    RowId tokenizerId = 0;
    std::string tokenizer;
    int shards = 0;
    std::size_t images = 0, annotations = 0;
};
// Writes the images, classes, regions and tokens of every source shard file in `dir` (a complete run, checked as a
// merge checks one) into `project`, one transaction per shard: the project an export of the shards alone reads.
LoadedShards loadSourceShards(ProjectStore& project, const std::string& dir);

// A consistent copy of the project at `copyPath` (SQLite's VACUUM INTO) with the project shards in `dir` merged
// into it: what an export of project + shard files reads, while the project itself stays as it is.
LoadedShards copyWithShards(const ProjectStore& project, const std::string& dir, const std::string& copyPath);

}  // namespace samtok::pipeline
