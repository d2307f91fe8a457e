#include "net/ModelCatalog.h"

#include "util/Error.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace samtok::net {

const std::vector<KnownModel>& knownModels() {
    static const std::vector<KnownModel> models{
        {"samtok-official", "zhouyik/Qwen3-VL-4B-SAMTok", "mask_tokenizer_256x2.pth", ModelRole::Tokenizer,
         "the SAMTok tokenizer Qwen-VL-SAMTok models read (SAM 2.1 Hiera-L, 2 x 256 codes)"},
        {"sam2.1-large", "facebook/sam2.1-hiera-large", "sam2.1_hiera_large.pt", ModelRole::Prompts,
         "SAM 2.1 Hiera-L: the best click and box prompts"},
        {"sam2.1-base-plus", "facebook/sam2.1-hiera-base-plus", "sam2.1_hiera_base_plus.pt", ModelRole::Prompts,
         "SAM 2.1 Hiera-B+: click and box prompts"},
        {"sam2.1-small", "facebook/sam2.1-hiera-small", "sam2.1_hiera_small.pt", ModelRole::Prompts,
         "SAM 2.1 Hiera-S: faster click and box prompts"},
        {"sam2.1-tiny", "facebook/sam2.1-hiera-tiny", "sam2.1_hiera_tiny.pt", ModelRole::Prompts,
         "SAM 2.1 Hiera-T: the fastest click and box prompts"},
    };
    return models;
}

const KnownModel* findKnownModel(const std::string& name) {
    for (const auto& m : knownModels())
        if (m.name == name) return &m;
    return nullptr;
}

std::string modelsDir() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    if (xdg && *xdg && fs::path(xdg).is_absolute()) return (fs::path(xdg) / "samtok" / "models").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : ".") / ".local" / "share" / "samtok" / "models").string();
}

std::string hubEndpoint() {
    const char* e = std::getenv("HF_ENDPOINT");
    std::string s = e && *e ? e : "https://huggingface.co";
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

std::string downloadUrl(const KnownModel& m) {
    return hubEndpoint() + "/" + m.repo + "/resolve/main/" + m.file;
}

std::string localPath(const KnownModel& m) {
    return (fs::path(modelsDir()) / m.file).string();
}

std::optional<std::string> downloadedModel(const std::string& name) {
    const KnownModel* m = findKnownModel(name);
    if (!m) return std::nullopt;
    const std::string path = localPath(*m);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path;  // fetched (and verified), or put there by hand
    return std::nullopt;
}

std::string resolveModelName(const std::string& nameOrPath) {
    const KnownModel* m = findKnownModel(nameOrPath);
    std::error_code ec;
    if (!m || fs::exists(nameOrPath, ec)) return nameOrPath;  // a file of that name in the working folder wins
    if (auto path = downloadedModel(nameOrPath)) return *path;
    throw UserError("the model '" + nameOrPath + "' is not downloaded yet: run `samtok model get " + nameOrPath +
                    "` (or Model > Get Model... in the studio), or download " + downloadUrl(*m) + " by hand to " +
                    localPath(*m));
}

}  // namespace samtok::net
