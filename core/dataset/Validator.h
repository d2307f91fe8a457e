#pragma once
// Pre-flight checks of an MLLM fine-tuning file (JSON array or JSONL) before
// a training run finds the problems: SAMTok / qwen-vl-finetune and LLaVA
// (`image` + `conversations`), LLaMA-Factory and ms-swift (`images` +
// `messages`), InternVL (`image` list + `conversations`).
//   - <image> placeholders in user turns match the images one to one, and
//     never appear in answers;
//   - every mask group is exactly <|mt_start|>, a first code, a second code,
//     <|mt_end|>, with both codes in range for the codebook;
//   - JSON inside ```json fences of answers parses, and labels hold no mask tokens;
//   - every image path exists.
// Each problem carries the file's line number.
#include "export/Target.h"
#include "tokens/TokenPair.h"

#include <optional>
#include <string>
#include <vector>

namespace samtok::dataset {

struct ValidationIssue {
    int line = 0;    // 1-based line of the record in the file; 0: the file as a whole
    int record = 0;  // 0-based record index
    std::string message;
};

struct ValidationOptions {
    int codebookSize = 256;
    std::string imageRoot;  // relative image paths resolve here (default: the file's folder)
    bool checkPaths = true;
    // The trainer whose loader rules apply (TargetRules.h); unset: the rules all targets share.
    std::optional<exporter::Target> target;
};

struct ValidationReport {
    int records = 0;
    int maskGroups = 0;
    int images = 0;
    std::vector<ValidationIssue> issues;
    // Every well-formed (image, c0, c1) met, for callers that decode them.
    struct Pair : TokenPair {
        int record = 0, line = 0;
        std::string image;
    };
    std::vector<Pair> pairs;
};

ValidationReport validateDataset(const std::string& path, const ValidationOptions& options = {});

}  // namespace samtok::dataset
