#pragma once
// The official models a user can get by name (`samtok model get NAME`, Model ▸ Get Model…), where they come
// from, and where they are kept once downloaded: $XDG_DATA_HOME/samtok/models (~/.local/share/samtok/models).
#include <optional>
#include <string>
#include <vector>

namespace samtok::net {

enum class ModelRole { Tokenizer, Prompts };  // --model, or --prompt-model (SAM 2.1's decoder for clicks)

struct KnownModel {
    std::string name;  // what users type
    std::string repo;  // Hugging Face repository
    std::string file;  // the file in it, and its name on disk
    ModelRole role = ModelRole::Tokenizer;
    std::string about;  // one line
};

const std::vector<KnownModel>& knownModels();
const KnownModel* findKnownModel(const std::string& name);

// The folder downloaded models live in (not created here).
std::string modelsDir();
// The server: $HF_ENDPOINT (a mirror, or a test's local server), else https://huggingface.co.
std::string hubEndpoint();
std::string downloadUrl(const KnownModel& m);
std::string localPath(const KnownModel& m);  // where it is (or will be) on disk

// A known model's file where it is on disk (fetched and verified, or put there by hand), or nothing.
std::optional<std::string> downloadedModel(const std::string& name);
// A name of a known model resolved to its file; a path is returned as it is. Throws UserError for a known name
// that is not downloaded yet, saying how to get it.
std::string resolveModelName(const std::string& nameOrPath);

}  // namespace samtok::net
