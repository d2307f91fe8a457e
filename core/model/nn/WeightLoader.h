#pragma once
// Copies checkpoint tensors into a module by name. Every missing, unexpected
// or misshapen tensor is collected and reported together, by name.
#include "checkpoint/Checkpoint.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace samtok::model {

struct LoadReport {
    std::size_t loaded = 0;
    std::vector<std::string> missing;     // in the model, absent from the file
    std::vector<std::string> unexpected;  // in the file, unknown to the model
    std::vector<std::string> misshapen;   // "name: file [a, b] vs model [c, d]"
    std::vector<std::string> ignored;     // known tensors the tokenizer does not use
    std::string summary() const;
};

struct LoadRules {
    std::string addPrefix;                                 // e.g. "model.sam2_model." for a SAM2 .pt
    std::function<bool(const std::string&)> isIgnorable;   // file tensors that may be skipped silently
    std::function<bool(const std::string&)> mayBeMissing;  // model tensors allowed to stay as they are
};

// Throws checkpoint::CheckpointError with the full report when anything but
// ignorable / allowed-missing tensors disagrees. Nothing is copied then.
LoadReport loadWeights(torch::nn::Module& module, const checkpoint::Checkpoint& file, const LoadRules& rules);

torch::Tensor toTensor(const checkpoint::StoredTensor& t);  // float32 copy

}  // namespace samtok::model
