#include "pipeline/ModelFetch.h"

#include "pipeline/ActiveModel.h"
#include "util/AtomicFile.h"
#include "util/Checksum.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace samtok::pipeline {

std::string verifyModelFile(const net::KnownModel& m, const std::string& path) {
    ModelRequest r;
    r.model = path;
    std::unique_ptr<ActiveModel> loaded;
    try {
        loaded = ActiveModel::load(r);
    } catch (const std::exception& e) {
        throw UserError("the downloaded " + m.file + " does not load: " + e.what());
    }
    const auto& info = loaded->tokenizer().info();
    if (m.role == net::ModelRole::Tokenizer && !info.canTokenize)
        throw UserError("the downloaded " + m.file +
                        " has no mask encoder and codebooks: it is not a SAMTok tokenizer");
    if (m.role == net::ModelRole::Prompts && !info.canPrompt)
        throw UserError("the downloaded " + m.file + " has no mask decoder: it cannot answer clicks");
    return loaded->sha256();
}

FetchedModel fetchModel(const net::KnownModel& m, const net::DownloadOptions& options) {
    FetchedModel f;
    f.path = net::localPath(m);
    const std::string record = f.path + ".sha256";
    std::error_code ec;
    if (fs::is_regular_file(f.path, ec) && fs::is_regular_file(record, ec)) {
        std::ifstream in(record);
        in >> f.sha256;
        if (!f.sha256.empty() && f.sha256 == sha256File(f.path)) {
            f.alreadyThere = true;
            f.bytes = fs::file_size(f.path, ec);
            return f;
        }
    }
    const auto r = net::downloadFile(
        net::downloadUrl(m), f.path,
        [&](const std::string& part) {
            f.sha256 = verifyModelFile(m, part);  // the load hashed it: a checkpoint of a gigabyte is read once
        },
        options);
    f.bytes = r.bytes;
    f.resumedFrom = r.resumedFrom;
    writeFileAtomic(record, f.sha256 + "  " + m.file + "\n");
    return f;
}

}  // namespace samtok::pipeline
