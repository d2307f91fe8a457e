#include "cli/ModelOptions.h"

#include "checkpoint/CheckpointError.h"
#include "model/DefaultModel.h"
#include "model/Runtime.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>

namespace samtok::cli {

void addModelOptions(CLI::App* cmd, ModelOptions& o, bool required) {
    auto* m = cmd->add_option("--model", o.model,
                              "Checkpoint: mask_tokenizer_256x2.pth, a SAM2 .pt, a .safetensors, or samtok-micro "
                              "(the embedded default, used when omitted)");
    if (required) m->required();
    cmd->add_option("--config", o.config,
                    "Model config: a built-in name (sam2.1_hiera_tiny, _small, _base_plus, _large) or a JSON file; "
                    "detected from the checkpoint when omitted");
    cmd->add_option("--prompt-model", o.promptModel, "SAM2 checkpoint (.pt) whose decoder answers click / box prompts");
    cmd->add_option("--device", o.device, "cpu, or cuda / cuda:N when LibTorch has CUDA")->capture_default_str();
    cmd->add_option("--precision", o.precision, "fp32, or bf16 (meant for a GPU; slower than fp32 on a CPU)")
        ->check(CLI::IsMember({"fp32", "bf16"}))
        ->capture_default_str();
    cmd->add_option("--threads", o.threads, "CPU threads (default: all cores)");
}

namespace {

bool isDefault(const ModelOptions& o) { return o.model.empty() || o.model == model::kDefaultModelName; }

// The embedded model, checked against its recorded SHA-256 before use.
std::string defaultWeights() {
    const auto files = model::findDefaultModel();
    model::verifyDefaultModel(files);
    return files.weights;
}

}  // namespace

std::string checkpointPath(const ModelOptions& o) { return isDefault(o) ? defaultWeights() : o.model; }

namespace {

// The config for a checkpoint already resolved to a path.
model::ModelConfig configFor(const ModelOptions& o, const std::string& checkpoint) {
    try {
        if (o.config.empty()) return model::detectConfig(checkpoint);
        if (std::filesystem::is_regular_file(o.config)) {
            std::ifstream in(o.config);
            return model::configFromJson({std::istreambuf_iterator<char>(in), {}});
        }
        return model::builtinConfig(o.config);
    } catch (const std::invalid_argument& e) {
        throw UserError(e.what());
    } catch (const checkpoint::CheckpointError& e) {
        throw UserError(e.what());
    }
}

}  // namespace

void addSearchOption(CLI::App* cmd, int& width) {
    cmd->add_option("--search", width,
                    "Choose each mask's codes by decoding: the N nearest first codes x the N nearest second codes, "
                    "keeping the pair that reconstructs the mask best (N^2 decodes a mask). 1: the quantizer's "
                    "codes, as the official SAMTok writes them")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
}

model::ModelConfig resolveConfig(const ModelOptions& o) {
    return configFor(o, o.config.empty() ? checkpointPath(o) : o.model);
}

std::unique_ptr<model::Tokenizer> loadTokenizer(const ModelOptions& o) {
    runtime::configure(o.threads);
    const std::string checkpoint = checkpointPath(o);  // the default model's checksum is verified here, once
    const model::ModelConfig config = configFor(o, checkpoint);
    try {
        return model::Tokenizer::load(config, checkpoint, o.promptModel, o.device, model::parsePrecision(o.precision));
    } catch (const checkpoint::CheckpointError& e) {
        throw UserError(e.what());
    }
}

}  // namespace samtok::cli
