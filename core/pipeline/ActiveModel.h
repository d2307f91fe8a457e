#pragma once
// The loaded model, and what it is in a project: one owner below both
// front-ends. The CLI and the studio's worker load a model through
// ActiveModel::load alone (the default model's checksum, config detection,
// device, precision), and find or register its row in a project with the
// SHA-256 computed once at load, never hashing the checkpoint again.
#include "model/ModelConfig.h"
#include "model/Tokenizer.h"
#include "store/Records.h"

#include <memory>
#include <optional>
#include <string>

namespace samtok {
class ProjectStore;
}

namespace samtok::pipeline {

struct ModelRequest {
    std::string model;        // checkpoint path; empty or "samtok-micro": the embedded default
    std::string config;       // built-in name or JSON file; detected from the checkpoint when empty
    std::string promptModel;  // optional SAM2 .pt whose decoder answers click / box prompts
    std::string device = "cpu";
    std::string precision = "fp32";
};

// Which model a request names, without loading it: enough to find its tokens in a project.
struct ModelIdentity {
    std::string name;        // "samtok-micro" or the checkpoint's stem
    std::string checkpoint;  // the resolved path
    std::string sha256;      // of the checkpoint ("untrained" for random weights)
    bool isDefault = false;

    // The row when the project has one (read only).
    std::optional<TokenizerModel> findIn(const ProjectStore& store) const;
    // The same, or a UserError naming the model and `hint` (what to run first).
    TokenizerModel requireIn(const ProjectStore& store, const std::string& hint) const;
};
// Resolves the default model (checking its recorded SHA-256) or hashes the file, once.
ModelIdentity identifyModel(const ModelRequest& request);

// The request's config: a built-in name or a JSON file, else detected from `checkpoint` (the resolved path).
// Throws UserError naming the file.
model::ModelConfig resolveModelConfig(const ModelRequest& request, const std::string& checkpoint);

// The codebook size that a project's tokenizer row records in its config; the official 256 when the stored
// config cannot be read. The one reader of it: the studio shows any tokenizer's codes with it.
int storedCodebookSize(const TokenizerModel& tokenizer);

class ActiveModel {
public:
    // Throws UserError naming the file and the problem (missing, damaged, hostile, not a model).
    static std::unique_ptr<ActiveModel> load(const ModelRequest& request);

    const ModelIdentity& identity() const { return identity_; }
    const std::string& name() const { return identity_.name; }
    const std::string& checkpoint() const { return identity_.checkpoint; }
    const std::string& sha256() const { return identity_.sha256; }  // computed once, at load
    bool isDefault() const { return identity_.isDefault; }
    const model::ModelConfig& config() const { return tokenizer_->config(); }
    int codebookSize() const { return config().codebookSize; }
    bool canTokenize() const { return tokenizer_->info().canTokenize; }
    bool canPrompt() const { return tokenizer_->info().canPrompt; }
    model::Tokenizer& tokenizer() const { return *tokenizer_; }

    // What a project stores of this model.
    TokenizerModel record() const;
    // The model's row in the project, registered when it has none; never hashes the checkpoint again.
    RowId rowIn(ProjectStore& store) const;
    std::optional<TokenizerModel> findIn(const ProjectStore& store) const { return identity_.findIn(store); }

private:
    ActiveModel() = default;
    ModelIdentity identity_;
    std::unique_ptr<model::Tokenizer> tokenizer_;
};

}  // namespace samtok::pipeline
