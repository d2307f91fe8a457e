#pragma once
// The embedded default model (models/samtok-micro.*), found with no flags and
// checked against its recorded SHA-256 so that a damaged file is named as
// such instead of failing later with an obscure tensor error.
// Plain C++ (part of samtok_core): the UI and the CLI both use it.
#include <string>

namespace samtok::model {

inline constexpr const char* kDefaultModelName = "samtok-micro";

struct DefaultModelFiles {
    std::string weights;  // samtok-micro.safetensors
    std::string config;   // samtok-micro.json
    std::string sha256;   // the recorded digest of the weights
};

// Looks in $SAMTOK_MODEL_DIR, next to the executable (../share/samtok/models,
// ./models) and in the source tree's models/. Throws UserError listing the
// places searched when none holds the model.
DefaultModelFiles findDefaultModel();

// Throws UserError when the weights' SHA-256 differs from the recorded one.
void verifyDefaultModel(const DefaultModelFiles& files);

}  // namespace samtok::model
