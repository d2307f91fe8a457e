// samtok validate: the pre-flight checks of an MLLM fine-tuning file.
#include "cli/Commands.h"
#include "cli/ModelOptions.h"
#include "dataset/Validator.h"
#include "io/ImageIO.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace samtok::cli {
namespace {

struct ValidateOptions {
    std::string file;
    dataset::ValidationOptions check;
    bool noPaths = false;
    bool decode = false;
    bool json = false;
    ModelOptions model;
};

void validate(ValidateOptions& o) {
    o.check.checkPaths = !o.noPaths;
    std::unique_ptr<model::Tokenizer> tok;
    if (o.decode) {
        tok = loadTokenizer(o.model);
        o.check.codebookSize = tok->config().codebookSize;
    }
    auto report = dataset::validateDataset(o.file, o.check);
    int decoded = 0, empty = 0;
    if (tok) {
        // Every pair decodes on its own image: one embedding per image.
        const fs::path root = o.check.imageRoot.empty() ? fs::absolute(o.file).parent_path() : fs::path(o.check.imageRoot);
        std::map<std::string, std::vector<const dataset::ValidationReport::Pair*>> byImage;
        for (const auto& p : report.pairs)
            if (!p.image.empty()) byImage[p.image].push_back(&p);
        for (const auto& [image, pairs] : byImage) {
            const fs::path path = fs::path(image).is_absolute() ? fs::path(image) : root / image;
            try {
                const DecodedImage img = readImage(path.string());
                const auto emb = tok->embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
                std::vector<model::CodePair> codes;
                for (const auto* p : pairs) codes.push_back({p->c0, p->c1});
                for (const auto& m : tok->decode(*emb, codes)) {
                    ++decoded;
                    bool any = false;
                    for (auto v : m.mask) any = any || v;
                    empty += any ? 0 : 1;
                }
            } catch (const std::exception& e) {
                report.issues.push_back({pairs.front()->line, pairs.front()->record,
                                         "cannot decode the tokens on '" + path.string() + "': " + e.what()});
            }
        }
    }
    if (o.json) {
        nlohmann::json issues = nlohmann::json::array();
        for (const auto& i : report.issues) issues.push_back({{"line", i.line}, {"record", i.record}, {"message", i.message}});
        std::cout << nlohmann::json{{"file", o.file}, {"records", report.records}, {"images", report.images},
                                    {"mask_groups", report.maskGroups}, {"decoded", decoded}, {"decoded_empty", empty},
                                    {"issues", issues}}
                         .dump(2)
                  << "\n";
    } else {
        for (const auto& i : report.issues) std::cout << o.file << ":" << i.line << ": " << i.message << "\n";
        std::cout << report.records << " record(s), " << report.images << " image(s), " << report.maskGroups
                  << " mask group(s)";
        if (tok) std::cout << ", " << decoded << " decoded (" << empty << " empty)";
        std::cout << ": " << (report.issues.empty() ? "no problems" : std::to_string(report.issues.size()) + " problem(s)") << "\n";
    }
    if (!report.issues.empty()) throw UserError(std::to_string(report.issues.size()) + " problem(s) in '" + o.file + "'");
}

}  // namespace

void addDatasetCommands(CLI::App& app) {
    auto o = std::make_shared<ValidateOptions>();
    auto* cmd = app.add_subcommand("validate", "Check an MLLM fine-tuning file (JSON or JSONL) before training on it");
    cmd->add_option("FILE", o->file, "Dataset file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--image-root", o->check.imageRoot, "Folder relative image paths start from (default: the file's folder)");
    cmd->add_option("--codebook-size", o->check.codebookSize, "Codes per codebook")->capture_default_str();
    cmd->add_flag("--no-paths", o->noPaths, "Do not check that image files exist");
    cmd->add_flag("--decode", o->decode, "Also decode every token pair on its image with the model");
    addModelOptions(cmd, o->model, /*required=*/false);
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o] { validate(*o); });
}

}  // namespace samtok::cli
