#pragma once
// --model / --config / --prompt-model / --device / --precision / --threads, shared by the
// commands that run the network.
#include "model/Tokenizer.h"
#include "pipeline/ActiveModel.h"

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace samtok::cli {

struct ModelOptions {
    std::string model;        // checkpoint path; empty or "samtok-micro": the embedded default
    std::string config;       // built-in name or JSON file; detected when empty
    std::string promptModel;  // optional SAM2 .pt for click / box prompts
    std::string device = "cpu";
    std::string precision = "fp32";
    int threads = 0;
};

void addModelOptions(CLI::App* cmd, ModelOptions& o, bool required = true);
// --search N: choose each mask's codes by decoding N x N neighbour pairs (Tokenizer::encodeSearched).
void addSearchOption(CLI::App* cmd, int& width);
pipeline::ModelRequest modelRequest(const ModelOptions& o);
// Sets the thread count, then loads through pipeline::ActiveModel::load, as the studio's worker does.
std::unique_ptr<pipeline::ActiveModel> loadModel(const ModelOptions& o);

}  // namespace samtok::cli
