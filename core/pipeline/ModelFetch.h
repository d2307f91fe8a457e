#pragma once
// Getting an official model by name, below both front-ends (`samtok model get`, Model ▸ Get Model…): downloaded
// with resume into the user's models folder, verified by loading it (every tensor by name and shape, and the part
// its role needs: codebooks for a tokenizer, a mask decoder for prompts) and recorded with its SHA-256 beside it.
#include "net/Download.h"
#include "net/ModelCatalog.h"

#include <string>

namespace samtok::pipeline {

struct FetchedModel {
    std::string path;
    std::string sha256;
    std::uint64_t bytes = 0;
    std::uint64_t resumedFrom = 0;
    bool alreadyThere = false;  // verified before; nothing was downloaded
};

// Throws net::DownloadError or UserError naming the file and the problem; never leaves a half-written model.
FetchedModel fetchModel(const net::KnownModel& model, const net::DownloadOptions& options = {});

// Loads the file as the model's role needs it and returns its SHA-256 (hashed once, by the load); throws UserError
// saying what is wrong.
std::string verifyModelFile(const net::KnownModel& model, const std::string& path);

}  // namespace samtok::pipeline
