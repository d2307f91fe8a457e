#include "cli/ModelOptions.h"

#include "model/DefaultModel.h"
#include "model/Runtime.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>

namespace samtok::cli {

void addModelOptions(CLI::App* cmd, ModelOptions& o, bool required) {
    auto* m = cmd->add_option("--model", o.model,
                              "Checkpoint: mask_tokenizer_256x2.pth, a SAM2 .pt, a .safetensors, a downloaded "
                              "model's name (samtok-official: see samtok model list), or samtok-micro (the embedded "
                              "default, used when omitted)");
    if (required) m->required();
    cmd->add_option("--config", o.config,
                    "Model config: a built-in name (sam2.1_hiera_tiny, _small, _base_plus, _large) or a JSON file; "
                    "detected from the checkpoint when omitted");
    cmd->add_option("--prompt-model", o.promptModel,
                    "SAM2 checkpoint (.pt) whose decoder answers click / box prompts, or a downloaded one's name "
                    "(sam2.1-large, -base-plus, -small, -tiny)");
    cmd->add_option("--device", o.device, "cpu, or cuda / cuda:N when LibTorch has CUDA")->capture_default_str();
    cmd->add_option("--precision", o.precision, "fp32, or bf16 (meant for a GPU; slower than fp32 on a CPU)")
        ->check(CLI::IsMember({"fp32", "bf16"}))
        ->capture_default_str();
    cmd->add_option("--threads", o.threads, "CPU threads (default: all cores)");
}

void addSearchOption(CLI::App* cmd, int& width) {
    cmd->add_option("--search", width,
                    "Choose each mask's codes by decoding: the N nearest first codes x the N nearest second codes, "
                    "keeping the pair that reconstructs the mask best (N^2 decodes a mask). 1: the quantizer's "
                    "codes, as the official SAMTok writes them; at most the model's codebook size")
        ->check(CLI::Range(1, 65536))  // the model checks the bound against its own codebook size
        ->capture_default_str();
}

pipeline::ModelRequest modelRequest(const ModelOptions& o) {
    return {o.model, o.config, o.promptModel, o.device, o.precision};
}

std::unique_ptr<pipeline::ActiveModel> loadModel(const ModelOptions& o) {
    runtime::configure(o.threads);
    return pipeline::ActiveModel::load(modelRequest(o));
}

}  // namespace samtok::cli
