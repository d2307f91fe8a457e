#include "model/DefaultModel.h"

#include "util/Checksum.h"
#include "util/Error.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace samtok::model {
namespace {

fs::path executableDir() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : self.parent_path();
}

}  // namespace

DefaultModelFiles findDefaultModel() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("SAMTOK_MODEL_DIR"); env && *env) dirs.emplace_back(env);
    // SAMTOK_NO_BUILTIN_MODEL_DIRS: only $SAMTOK_MODEL_DIR (tests of the "not found" path).
    const bool onlyEnv = std::getenv("SAMTOK_NO_BUILTIN_MODEL_DIRS") != nullptr;
    const fs::path exe = onlyEnv ? fs::path() : executableDir();
    if (!exe.empty()) {
        dirs.push_back(exe / ".." / "share" / "samtok" / "models");
        dirs.push_back(exe / "models");
    }
#ifdef SAMTOK_SOURCE_MODELS_DIR
    if (!onlyEnv) dirs.emplace_back(SAMTOK_SOURCE_MODELS_DIR);
#endif
    std::string searched;
    for (const fs::path& d : dirs) {
        const fs::path weights = d / (std::string(kDefaultModelName) + ".safetensors");
        if (fs::is_regular_file(weights)) {
            DefaultModelFiles f;
            f.weights = weights.lexically_normal().string();
            f.config = (d / (std::string(kDefaultModelName) + ".json")).lexically_normal().string();
            std::ifstream digest(d / (std::string(kDefaultModelName) + ".safetensors.sha256"));
            digest >> f.sha256;
            return f;
        }
        searched += (searched.empty() ? "" : ", ") + d.lexically_normal().string();
    }
    throw UserError(std::string("the default model ") + kDefaultModelName + ".safetensors was not found (searched " +
                    searched + "); set SAMTOK_MODEL_DIR or pass --model");
}

void verifyDefaultModel(const DefaultModelFiles& files) {
    if (files.sha256.empty())
        throw UserError("the default model '" + files.weights + "' has no recorded checksum (" + files.weights +
                        ".sha256 is missing or empty); reinstall it");
    const std::string actual = sha256File(files.weights);
    if (actual != files.sha256)
        throw UserError("the default model '" + files.weights + "' is damaged: its SHA-256 is " + actual.substr(0, 16) +
                        "..., expected " + files.sha256.substr(0, 16) +
                        "...; restore it from the repository or reinstall");
}

}  // namespace samtok::model
