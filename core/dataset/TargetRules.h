#pragma once
// The loader rules of each trainer, read from its code (see
// ../shared/docs/mllm-dataset-formats.md), for `samtok validate --target`:
// what a record must look like for the trainer to load it as meant, and what
// must lie beside the file (registrations, the mask tokens' registration).
//   samtok-json(l): SAMTok's loader and qwen-vl-finetune: `image` string or
//     list, human/gpt turns, one <image> / <video> per file; SAMTok's loader
//     resolves relative paths from where it is launched: they must be absolute.
//   llamafactory: `messages` user/assistant pairs, `images` a list, one
//     <image>/<video>/<audio> per entry, a dataset_info.json entry for the file.
//   swift: `messages`, `images`, absolute paths.
//   llava: a JSON array, `id`, `image` one string (a list stops the run),
//     one <image>, in the first human turn.
//   internvl: JSONL, a meta file beside that names the file alone (InternVL
//     trains on every entry of a meta file) with its record count, images
//     resolved from the meta's root (os.path.join, lists too).
// Targets whose trainer adds no tokens need add_mask_tokens.py beside;
// LLaMA-Factory and ms-swift need the tokens registered for them.
#include "export/Target.h"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace samtok::dataset {

struct RecordMedia {
    std::vector<std::string> images, videos, audios;
};

// Problems with one parsed record; `media` receives the files it names.
void checkRecordFor(exporter::Target target, const nlohmann::json& record, std::vector<std::string>& problems,
                    RecordMedia& media);

// Problems with the file as a whole: its layout and what must lie beside it. `maxCode`: the highest mask-token number
// the records use (-1: none).
struct FileFacts {
    std::filesystem::path path;
    bool isArray = false;  // a JSON array, else JSONL
    int records = 0;
    int maxCode = -1;
    // InternVL: the meta files beside that name this file (found by findInternVLMeta).
    struct Meta {
        std::filesystem::path file;
        std::vector<std::string> entries;  // every entry's name
        std::string entry, root;           // the entry naming this file and its root
        long long length = -1;
    };
    std::vector<Meta> metas;
};
void findInternVLMeta(FileFacts& file);
std::vector<std::string> checkFileFor(exporter::Target target, const FileFacts& file);

// Where the trainer looks for a record's image, or empty when it cannot say (the message names why).
struct ResolvedPath {
    std::filesystem::path path;
    std::string problem;
};
ResolvedPath resolveImageFor(exporter::Target target, const FileFacts& file, const std::string& image,
                             const std::string& imageRoot);

}  // namespace samtok::dataset
