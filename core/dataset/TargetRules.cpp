#include "dataset/TargetRules.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using samtok::exporter::Target;

namespace samtok::dataset {
namespace {

const char* trainerOf(Target t) {
    switch (t) {
        case Target::SamTokJson:
        case Target::SamTokJsonl:
            return "SAMTok's loader and qwen-vl-finetune";
        case Target::LlamaFactory:
            return "LLaMA-Factory";
        case Target::Swift:
            return "ms-swift";
        case Target::Llava:
            return "LLaVA";
        case Target::InternVL:
            return "InternVL";
    }
    return "?";
}

bool usesMessages(Target t) {
    return t == Target::LlamaFactory || t == Target::Swift;
}

int countOf(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
    return n;
}

// A media field: a string or a list of strings, as the trainer allows.
std::vector<std::string> mediaField(const json& j, const char* field, bool listOnly, bool stringOnly, Target t,
                                    std::vector<std::string>& problems) {
    std::vector<std::string> out;
    if (!j.contains(field)) return out;
    const json& v = j[field];
    if (v.is_string()) {
        if (listOnly) problems.push_back(std::string("'") + field + "' must be a list for " + trainerOf(t));
        out.push_back(v.get<std::string>());
    } else if (v.is_array()) {
        if (stringOnly)
            problems.push_back(std::string("'") + field + "' is a list: " + trainerOf(t) +
                               " joins it to its image folder as one path and stops (TypeError)");
        for (const auto& e : v)
            if (e.is_string())
                out.push_back(e.get<std::string>());
            else
                problems.push_back(std::string("'") + field + "' holds a non-string entry");
    } else if (!v.is_null()) {
        problems.push_back(std::string("'") + field + "' must be a string or a list of strings");
    }
    return out;
}

struct Turn {
    bool user = false;
    std::string text;
};

// The turns, with the roles and their order the trainer expects.
std::vector<Turn> turnsOf(Target t, const json& j, std::vector<std::string>& problems) {
    std::vector<Turn> turns;
    const char* field = usesMessages(t) ? "messages" : "conversations";
    const char* roleKey = usesMessages(t) ? "role" : "from";
    const char* textKey = usesMessages(t) ? "content" : "value";
    const std::string user = usesMessages(t) ? "user" : "human", answer = usesMessages(t) ? "assistant" : "gpt";
    if (!j.contains(field) || !j[field].is_array()) {
        problems.push_back(std::string("no '") + field + "' list: " + trainerOf(t) + " reads the turns from it");
        return turns;
    }
    for (const auto& m : j[field]) {
        if (!m.is_object() || !m.contains(roleKey) || !m.contains(textKey) || !m[textKey].is_string()) {
            problems.push_back(std::string("a turn needs '") + roleKey + "' and a string '" + textKey + "'");
            continue;
        }
        const std::string role = m[roleKey].is_string() ? m[roleKey].get<std::string>() : "";
        if (role == "system" && usesMessages(t) && turns.empty()) continue;
        if (role != user && role != answer) {
            problems.push_back("a turn from '" + role + "': " + trainerOf(t) + " expects '" + user + "' and '" +
                               answer + "'");
            continue;
        }
        turns.push_back({role == user, m[textKey].get<std::string>()});
    }
    for (std::size_t i = 0; i < turns.size(); ++i)
        if (turns[i].user != (i % 2 == 0)) {
            problems.push_back("turn " + std::to_string(i + 1) + " breaks the " + user + " / " + answer +
                               " alternation " + trainerOf(t) + " expects");
            break;
        }
    if (!turns.empty() && turns.back().user) problems.push_back("the last turn is a question without an answer");
    return turns;
}

void checkPlaceholders(Target t, const std::vector<Turn>& turns, const RecordMedia& media,
                       std::vector<std::string>& problems) {
    struct Kind {
        const char* tag;
        std::size_t files;
        const char* noun;
    };
    const Kind kinds[] = {{"<image>", media.images.size(), "image"},
                          {"<video>", media.videos.size(), "video"},
                          {"<audio>", media.audios.size(), "audio"}};
    for (const Kind& k : kinds) {
        int asked = 0;
        for (std::size_t i = 0; i < turns.size(); ++i) {
            const int n = countOf(turns[i].text, k.tag);
            if (turns[i].user)
                asked += n;
            else if (n)
                problems.push_back("answer turn " + std::to_string(i + 1) + " holds " + k.tag +
                                   ": placeholders belong in questions");
        }
        const std::size_t files = k.files;
        // InternVL prepends <image> itself to a single-image record that lacks it.
        if (t == Target::InternVL && files == 1 && asked == 0 && std::string(k.tag) == "<image>") continue;
        if (static_cast<std::size_t>(asked) != files)
            problems.push_back(std::to_string(asked) + " " + k.tag + " placeholder(s) for " + std::to_string(files) +
                               " " + k.noun + "(s): " + trainerOf(t) + " needs one per file");
    }
    if (t == Target::Llava && !media.images.empty() && !turns.empty() &&
        countOf(turns[0].text, "<image>") != static_cast<int>(media.images.size()))
        problems.push_back("LLaVA needs the <image> placeholder in the first human turn");
}

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    return b.str();
}

// LLaMA-Factory finds a dataset by its entry in dataset_info.json (in dataset_dir), with the columns and tags of
// the records' layout.
void checkLlamaFactoryInfo(const fs::path& dir, const std::string& name, std::vector<std::string>& problems) {
    const fs::path info = dir / "dataset_info.json";
    json j;
    try {
        j = json::parse(readAll(info));
    } catch (const json::exception&) {
        problems.push_back("no readable dataset_info.json beside it: LLaMA-Factory finds datasets there");
        return;
    }
    for (const auto& [entry, e] : j.items()) {
        if (!e.is_object() || e.value("file_name", std::string()) != name) continue;
        const json columns = e.value("columns", json::object()), tags = e.value("tags", json::object());
        if (e.value("formatting", std::string()) != "sharegpt")
            problems.push_back("dataset_info.json entry '" + entry + "' must say \"formatting\": \"sharegpt\"");
        if (columns.value("messages", std::string()) != "messages" ||
            columns.value("images", std::string()) != "images")
            problems.push_back("dataset_info.json entry '" + entry + "' must map the columns messages and images");
        if (tags.value("role_tag", std::string()) != "role" || tags.value("content_tag", std::string()) != "content" ||
            tags.value("user_tag", std::string()) != "user" ||
            tags.value("assistant_tag", std::string()) != "assistant")
            problems.push_back("dataset_info.json entry '" + entry +
                               "' must name the tags role / content / user / assistant");
        return;
    }
    problems.push_back("dataset_info.json has no entry with \"file_name\": \"" + name + "\"");
}

// Every token up to the highest code the records use, with start and end, appears in the text.
bool holdsTokens(const std::string& text, int maxCode) {
    char code[32];
    std::snprintf(code, sizeof code, "<|mt_%04d|>", maxCode);
    return text.find("<|mt_start|>") != std::string::npos && text.find("<|mt_end|>") != std::string::npos &&
           text.find(code) != std::string::npos;
}

void checkTokenRegistration(Target t, const fs::path& dir, int maxCode, std::vector<std::string>& problems) {
    std::error_code ec;
    const bool tokensFile = holdsTokens(readAll(dir / "tokens.txt"), maxCode);
    if (t == Target::LlamaFactory) {
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") {
                const std::string y = readAll(e.path());
                if ((y.find("add_tokens:") != std::string::npos ||
                     y.find("add_special_tokens:") != std::string::npos) &&
                    holdsTokens(y, maxCode))
                    return;
            }
        problems.push_back(
            "no LLaMA-Factory yaml beside it adds the mask tokens (add_tokens with resize_vocab): "
            "without them each token is split into ordinary pieces and training runs silently wrong");
    } else if (t == Target::Swift) {
        if (!tokensFile)
            problems.push_back("no tokens.txt beside it lists the mask tokens for ms-swift's --new_special_tokens");
    } else if (!tokensFile || !fs::is_regular_file(dir / "add_mask_tokens.py")) {
        problems.push_back(std::string(trainerOf(t)) +
                           " adds no tokens itself, and no add_mask_tokens.py with tokens.txt lies beside it: "
                           "without them each mask token is split into ordinary pieces");
    }
}

}  // namespace

void checkRecordFor(Target t, const json& j, std::vector<std::string>& problems, RecordMedia& media) {
    if (!j.is_object()) {
        problems.push_back("a record must be a JSON object");
        return;
    }
    const bool lists = t == Target::LlamaFactory;
    if (usesMessages(t)) {
        media.images = mediaField(j, "images", lists, false, t, problems);
        media.videos = mediaField(j, "videos", lists, false, t, problems);
        media.audios = mediaField(j, "audios", lists, false, t, problems);
        if (j.contains("image")) problems.push_back(std::string("'image': ") + trainerOf(t) + " reads 'images'");
    } else {
        media.images = mediaField(j, "image", false, t == Target::Llava, t, problems);
        media.videos = mediaField(j, "video", false, t == Target::Llava, t, problems);
        if (j.contains("images")) problems.push_back(std::string("'images': ") + trainerOf(t) + " reads 'image'");
    }
    if (t == Target::Llava && !j.contains("id")) problems.push_back("no 'id': LLaVA names every record");
    if (t == Target::InternVL && media.images.size() > 1)
        for (const char* f : {"width_list", "height_list"})
            if (!j.contains(f) || !j[f].is_array() || j[f].size() != media.images.size())
                problems.push_back(std::string("'") + f + "' must give one size per image for InternVL");
    checkPlaceholders(t, turnsOf(t, j, problems), media, problems);
}

void findInternVLMeta(FileFacts& f) {
    std::error_code ec;
    const fs::path self = fs::weakly_canonical(f.path, ec);
    for (const auto& entry : fs::directory_iterator(f.path.parent_path().empty() ? "." : f.path.parent_path(), ec)) {
        if (entry.path().extension() != ".json" || entry.path() == f.path) continue;
        json meta;
        try {
            std::ifstream in(entry.path());
            meta = json::parse(in);
        } catch (const json::exception&) {
            continue;
        }
        if (!meta.is_object()) continue;
        FileFacts::Meta m{entry.path(), {}, {}, {}, -1};
        for (const auto& [name, e] : meta.items()) {
            if (!e.is_object() || !e.contains("annotation") || !e["annotation"].is_string()) continue;
            m.entries.push_back(name);
            // Relative paths resolve from the folder InternVL is launched in: train_internvl.sh launches here.
            const fs::path a = e["annotation"].get<std::string>();
            const fs::path abs = a.is_absolute() ? a : entry.path().parent_path() / a;
            // An annotation under --path-prefix names where the export will be: there, only its name can match.
            const bool elsewhere = !fs::exists(abs, ec) && a.filename() == f.path.filename();
            if (!elsewhere && fs::weakly_canonical(abs, ec) != self) continue;
            m.entry = name;
            m.root = e.value("root", std::string());
            m.length = e.contains("length") && e["length"].is_number_integer() ? e["length"].get<long long>() : -1;
        }
        if (!m.entry.empty()) f.metas.push_back(m);
    }
}

std::vector<std::string> checkFileFor(Target t, const FileFacts& f) {
    std::vector<std::string> problems;
    const std::string name = f.path.filename().string();
    const fs::path dir = f.path.parent_path();
    if (t == Target::Llava && !f.isArray) problems.push_back("LLaVA reads one JSON array (json.load), not JSONL");
    if (t == Target::InternVL && f.isArray) problems.push_back("InternVL reads JSONL, one record per line");
    if ((t == Target::SamTokJson || t == Target::SamTokJsonl) && f.isArray != (f.path.extension() == ".json"))
        problems.push_back("qwen-vl-finetune reads '.json' files as one array and '.jsonl' as lines: this one is " +
                           std::string(f.isArray ? "an array" : "lines"));
    if (t == Target::LlamaFactory) checkLlamaFactoryInfo(dir, name, problems);
    if (t == Target::InternVL) {
        if (f.metas.empty())
            problems.push_back("no InternVL meta file beside it names '" + name + "' (its --meta_path)");
        for (const auto& m : f.metas) {
            const std::string meta = m.file.filename().string();
            if (m.entries.size() > 1)
                problems.push_back(meta + " holds " + std::to_string(m.entries.size()) +
                                   " entries: InternVL trains on every entry of a meta file, so a val split there "
                                   "is trained on");
            if (m.length != f.records)
                problems.push_back(meta + " gives length " + std::to_string(m.length) + " for " +
                                   std::to_string(f.records) + " record(s)");
        }
    }
    if (f.maxCode >= 0) checkTokenRegistration(t, dir, f.maxCode, problems);
    return problems;
}

ResolvedPath resolveImageFor(Target t, const FileFacts& f, const std::string& image, const std::string& imageRoot) {
    const fs::path p(image);
    if (p.is_absolute()) return {p, {}};
    const fs::path dir = f.path.parent_path();
    switch (t) {
        case Target::SamTokJson:
        case Target::SamTokJsonl:
        case Target::Swift:
            if (!imageRoot.empty()) return {fs::path(imageRoot) / p, {}};
            return {{},
                    "relative image path '" + image + "': " + trainerOf(t) +
                        " resolve it from the folder they are launched in (export with absolute paths or "
                        "--path-prefix, or give --image-root for qwen-vl-finetune's data_path)"};
        case Target::LlamaFactory:
        case Target::Llava:
            return {(imageRoot.empty() ? dir : fs::path(imageRoot)) / p, {}};
        case Target::InternVL: {
            // os.path.join(root, image), for single images and lists alike (a root of "" or "./" is the folder
            // InternVL is launched in, which train_internvl.sh makes the meta file's).
            if (f.metas.empty()) return {{}, {}};  // said once for the file
            const std::string& root = f.metas.front().root;
            const fs::path metaDir = f.metas.front().file.parent_path();
            return {(fs::path(root).is_absolute() ? fs::path(root) : metaDir / root) / p, {}};
        }
    }
    return {dir / p, {}};
}

}  // namespace samtok::dataset
