#pragma once
// The shard file itself (internal to pipeline/Shards.cpp and pipeline/SourceShards.cpp): reading one back, appending
// whole synced lines to it, resuming it after a kill, and checking that a folder holds one complete run.
#include "pipeline/ActiveModel.h"
#include "pipeline/Shards.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samtok::pipeline {

// A shard file read back: its header, the image lines, whether it is finished, and where its last whole line ends.
struct ShardFile {
    nlohmann::json header;
    std::vector<std::pair<int, nlohmann::json>> images;  // line number, line
    std::optional<nlohmann::json> done;
    std::uintmax_t wholeBytes = 0;
    std::string problem;  // a damaged line before the end: not a torn last write
};
ShardFile readShardFile(const std::string& path);

// The header every shard file starts with: format, shard, tokenizer (name, SHA-256, config) and its image count.
nlohmann::json headerFor(const ActiveModel& model, const ShardSpec& shard, std::size_t images);

// A shard file opened to go on: an existing one is checked against the header (same shard and tokenizer; a damaged
// line is an error), its torn last line cut off, and its lines kept; a new one gets the header.
class ShardAppender {
public:
    ShardAppender(const std::string& path, const nlohmann::json& header, const ShardSpec& shard,
                  const std::string& tokenizerSha256);
    ~ShardAppender();
    ShardAppender(const ShardAppender&) = delete;
    ShardAppender& operator=(const ShardAppender&) = delete;

    bool finished() const { return content_.done.has_value(); }
    const std::vector<std::pair<int, nlohmann::json>>& lines() const { return content_.images; }
    // One whole line, written and synced before it returns.
    void append(const nlohmann::json& line);

private:
    std::string path_;
    ShardFile content_;
    int fd_ = -1;
};

// The codebook size a header's tokenizer config states (256 when it states none).
int shardCodebookSize(const nlohmann::json& header);
// A region's codes and IoU as a shard line gives them, checked (codes below the codebook size, IoU in 0..1 or null);
// throws UserError.
MaskTokens shardCodes(const nlohmann::json& c0, const nlohmann::json& c1, const nlohmann::json& iou, int codebookSize);

struct CheckedShard {
    std::string file;
    ShardFile content;
};
// Every shard file of one tokenizer and shard count in `dir`, each finished and whole, none missing or twice;
// throws UserError naming the first problem.
std::vector<CheckedShard> checkedShardSet(const std::string& dir);

}  // namespace samtok::pipeline
