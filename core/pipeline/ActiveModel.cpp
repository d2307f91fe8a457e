#include "pipeline/ActiveModel.h"

#include "checkpoint/CheckpointError.h"
#include "model/DefaultModel.h"
#include "net/ModelCatalog.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace fs = std::filesystem;

namespace samtok::pipeline {
model::ModelConfig resolveModelConfig(const ModelRequest& r, const std::string& checkpoint) {
    try {
        if (r.config.empty()) return model::detectConfig(checkpoint);
        if (fs::is_regular_file(r.config)) {
            std::ifstream in(r.config);
            if (!in) throw UserError("cannot read model config '" + r.config + "'");
            return model::configFromJson({std::istreambuf_iterator<char>(in), {}});
        }
        return model::builtinConfig(r.config);
    } catch (const std::invalid_argument& e) {
        throw UserError((r.config.empty() ? "'" + checkpoint + "'" : "'" + r.config + "'") + ": " + e.what());
    }
}

ModelIdentity identifyModel(const ModelRequest& r) {
    ModelIdentity id;
    id.isDefault = r.model.empty() || r.model == model::kDefaultModelName;
    if (id.isDefault) {
        const auto files = model::findDefaultModel();
        model::verifyDefaultModel(files);  // hashes the file: its digest is then the recorded one
        id.checkpoint = files.weights;
        id.sha256 = files.sha256;
        id.name = model::kDefaultModelName;
        return id;
    }
    const std::string path = net::resolveModelName(r.model);  // a known model's name, once it is downloaded
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw UserError("'" + r.model + "': no such model file");
    if (fs::path(path).extension() == ".samtok")  // never read a project but through SQLite (its locks)
        throw UserError("'" + r.model + "': a SAMTok Studio project, not a model checkpoint");
    id.checkpoint = path;
    id.name = fs::path(path).stem().string();
    id.sha256 = sha256File(path);
    return id;
}

int storedCodebookSize(const TokenizerModel& tokenizer) {
    try {
        return model::configFromJson(tokenizer.configJson).codebookSize;
    } catch (const std::exception&) {  // an unreadable stored config: the codes keep the usual offset
        return 256;
    }
}

std::optional<TokenizerModel> ModelIdentity::findIn(const ProjectStore& store) const {
    for (const TokenizerModel& t : store.tokenizers())
        if (t.checkpointSha256 == sha256) return t;
    return std::nullopt;
}

TokenizerModel ModelIdentity::requireIn(const ProjectStore& store, const std::string& hint) const {
    if (auto t = findIn(store)) return *t;
    throw UserError("the project has no tokens of '" + name + "' (SHA-256 " + sha256.substr(0, 8) + "…): " + hint);
}

std::unique_ptr<ActiveModel> ActiveModel::load(const ModelRequest& r) {
    std::unique_ptr<ActiveModel> m(new ActiveModel);
    m->identity_ = identifyModel(r);
    const model::ModelConfig config = resolveModelConfig(r, m->identity_.checkpoint);
    try {
        const std::string prompts = r.promptModel.empty() ? r.promptModel : net::resolveModelName(r.promptModel);
        m->tokenizer_ = model::Tokenizer::load(config, m->identity_.checkpoint, prompts, r.device,
                                               model::parsePrecision(r.precision));
    } catch (const std::invalid_argument& e) {  // a device or precision this build cannot use
        throw UserError(e.what());
    }
    return m;
}

TokenizerModel ActiveModel::record() const {
    TokenizerModel t;
    t.name = identity_.name;
    t.configJson = model::configToJson(config());
    t.checkpointSha256 = identity_.sha256;
    return t;
}

RowId ActiveModel::rowIn(ProjectStore& store) const {
    return store.registerTokenizer(record());
}

}  // namespace samtok::pipeline
