#pragma once
// One writer per trainer: the same samples in each one's record layout.
#include "export/Export.h"

#include <string>
#include <vector>

namespace samtok::exporter {

struct PlacedSample {
    const Sample* sample = nullptr;
    std::vector<std::string> paths;  // as written into the record, one per image
};

// ".json" (one array) or ".jsonl" (one record per line).
const char* fileExtension(Target t);
// The records of one file. idPrefix names records where a target wants ids.
std::string formatRecords(Target t, const std::vector<PlacedSample>& samples, const std::string& idPrefix);

// The trainer's registration of the written files, if it has one:
// LLaMA-Factory's dataset_info.json, InternVL's meta file.
struct SplitFile {
    std::string split;  // "train", "val", or "" for one file
    std::string file;   // relative to the export folder
    std::size_t records = 0;
};
struct Registration {
    std::string file;  // relative to the export folder
    std::string content;
};
// Where the files are, as the registrations and start files name them, and what the trainer must match.
struct Layout {
    std::string exportDir;  // absolute
    std::string prefix;     // --path-prefix: where the export will be when trained on; empty: not given
    bool absoluteImages = false;
    ModelFamily family = ModelFamily::Qwen3VL;
    int minPixels = kQwenMinPixels, maxPixels = kQwenMaxPixels;  // Qwen's resize limits, boxes measured in them
    std::string trainerDir() const { return prefix.empty() ? exportDir : prefix; }
};

std::vector<Registration> registrations(Target t, const std::string& name, const std::vector<SplitFile>& files,
                                        const Layout& layout);

// A ready-to-run start for the trainer, beside the export:
//   LLaMA-Factory train_llamafactory.yaml (template, dataset_dir, datasets, add_tokens, resize_vocab, the
//     embeddings trained beside LoRA);
//   ms-swift sft_swift.sh (--new_special_tokens, --modules_to_save embed_tokens lm_head);
//   SAMTok targets: qwen-vl-finetune's dataset entry (qwenvl_dataset.py) and launch (train_qwenvl.sh);
//   LLaVA train_llava.sh; InternVL train_internvl.sh.
// Those whose trainer adds no tokens first run add_mask_tokens.py. `addTokens`: the vocabulary, comma-separated.
std::vector<Registration> startFiles(Target t, const std::string& name, const std::vector<SplitFile>& files,
                                     const Layout& layout, const std::string& addTokens);

}  // namespace samtok::exporter
