// Shard files of a cluster run as `samtok tokens merge` and `samtok export mllm --shards` read them: the bytes are
// the one shard file of a one-shard run, merged into a fresh project and loaded as a source's shards.
#include "FuzzImportSupport.h"
#include "pipeline/SourceShards.h"
#include "util/Error.h"

#include <sys/stat.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = samtok::fuzz::scratchDir();
    const std::string shards = dir + "/shards";
    ::mkdir(shards.c_str(), 0755);
    samtok::fuzz::annotationFile(shards, data, size, "tokens-abcdefabcdef-shard-0000-of-0001.jsonl");
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        (void)samtok::pipeline::mergeShards(store, shards);
    } catch (const samtok::UserError&) {
    }
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        (void)samtok::pipeline::loadSourceShards(store, shards);
    } catch (const samtok::UserError&) {
    }
    return 0;
}
