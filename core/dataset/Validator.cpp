#include "dataset/Validator.h"

#include "dataset/TargetRules.h"
#include "tokens/TokenText.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::dataset {
namespace {

struct Turn {
    bool user = false;
    std::string text;
};

struct Record {
    std::vector<std::string> images;
    std::vector<Turn> turns;
};

// The top-level elements of a JSON array, with the line each starts on.
std::vector<std::pair<int, std::string>> splitArray(const std::string& text) {
    std::vector<std::pair<int, std::string>> out;
    int depth = 0, line = 1, startLine = 0;
    bool inString = false, escaped = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') ++line;
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
            if (depth == 1 && start == 0) start = i, startLine = line;
        } else if (c == '{' || c == '[') {
            if (depth == 1 && start == 0) start = i, startLine = line;
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
            if (depth == 0) break;
        } else if (depth == 1 && c == ',') {
            if (start) out.emplace_back(startLine, text.substr(start, i - start));
            start = 0;
        } else if (depth == 1 && start == 0 && !std::isspace(static_cast<unsigned char>(c))) {
            start = i, startLine = line;
        }
    }
    if (start) {
        std::size_t end = text.rfind(']');
        out.emplace_back(startLine, text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    }
    return out;
}

std::vector<std::string> stringOrList(const json& v, const char* field, std::vector<std::string>& problems) {
    std::vector<std::string> out;
    if (v.is_string())
        out.push_back(v.get<std::string>());
    else if (v.is_array())
        for (const auto& e : v) {
            if (e.is_string())
                out.push_back(e.get<std::string>());
            else
                problems.push_back(std::string("'") + field + "' holds a non-string entry");
        }
    else
        problems.push_back(std::string("'") + field + "' must be a string or a list of strings");
    return out;
}

Record readRecord(const json& j, std::vector<std::string>& problems) {
    Record r;
    if (!j.is_object()) {
        problems.push_back("a record must be a JSON object");
        return r;
    }
    for (const char* field : {"image", "images"})
        if (j.contains(field)) {
            auto v = stringOrList(j[field], field, problems);
            r.images.insert(r.images.end(), v.begin(), v.end());
        }
    if (j.contains("conversations")) {
        for (const auto& t : j["conversations"]) {
            if (!t.is_object() || !t.contains("from") || !t.contains("value") || !t["value"].is_string()) {
                problems.push_back("a conversation turn needs 'from' and a string 'value'");
                continue;
            }
            r.turns.push_back({t["from"] == "human" || t["from"] == "user", t["value"].get<std::string>()});
        }
    } else if (j.contains("messages")) {
        for (const auto& t : j["messages"]) {
            if (!t.is_object() || !t.contains("role") || !t.contains("content") || !t["content"].is_string()) {
                problems.push_back("a message needs 'role' and a string 'content'");
                continue;
            }
            if (t["role"] == "system") continue;
            r.turns.push_back({t["role"] == "user", t["content"].get<std::string>()});
        }
    } else {
        problems.push_back("no 'conversations' or 'messages' field");
    }
    return r;
}

int countOf(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
    return n;
}

// Checks every mask token sequence of one text; returns the well-formed pairs.
std::vector<TokenPair> checkGroups(const std::string& text, int k, const std::string& where,
                                   std::vector<std::string>& problems) {
    static const std::regex token(R"(<\|mt_(start|end|\d{4})\|>)");
    std::vector<TokenPair> pairs;
    std::vector<std::string> group;
    auto flush = [&](const std::string& why) {
        std::string g;
        for (const auto& t : group) g += t;
        problems.push_back(where + ": malformed mask group '" + g + "' (" + why + ")");
        group.clear();
    };
    for (auto it = std::sregex_iterator(text.begin(), text.end(), token); it != std::sregex_iterator(); ++it) {
        const std::string t = (*it)[0], body = (*it)[1];
        if (body == "start") {
            if (!group.empty()) flush("a new group starts before <|mt_end|>");
            group.push_back(t);
        } else if (body == "end") {
            group.push_back(t);
            if (group.size() != 4 || group[0] != "<|mt_start|>") {
                flush(group.front() != "<|mt_start|>"
                          ? "no <|mt_start|>"
                          : "expected exactly two codes, got " + std::to_string(group.size() - 2));
                continue;
            }
            const int a = std::stoi(group[1].substr(5, 4)), b = std::stoi(group[2].substr(5, 4));
            if (a < 0 || a >= k)
                flush("first code " + std::to_string(a) + " outside 0.." + std::to_string(k - 1));
            else if (b < k || b >= 2 * k)
                flush("second code token " + std::to_string(b) + " outside " + std::to_string(k) + ".." +
                      std::to_string(2 * k - 1));
            else {
                pairs.push_back({a, b - k});
                group.clear();
            }
        } else {
            if (group.empty()) {
                group.push_back(t);
                flush("a code outside <|mt_start|> ... <|mt_end|>");
                continue;
            }
            group.push_back(t);
        }
    }
    if (!group.empty()) flush("no <|mt_end|>");
    return pairs;
}

void checkFencedJson(const std::string& answer, const std::string& where, std::vector<std::string>& problems) {
    static const std::regex fence("```json\\s*([\\s\\S]*?)```");
    static const std::regex anyToken(R"(<\|mt_)");
    for (auto it = std::sregex_iterator(answer.begin(), answer.end(), fence); it != std::sregex_iterator(); ++it) {
        json j;
        try {
            j = json::parse((*it)[1].str());
        } catch (const json::exception& e) {
            problems.push_back(where + ": the ```json block does not parse: " + e.what());
            continue;
        }
        const json entries = j.is_array() ? j : json::array({j});
        for (const auto& e : entries) {
            if (!e.is_object()) continue;
            if (e.contains("label") && e["label"].is_string() &&
                std::regex_search(e["label"].get<std::string>(), anyToken))
                problems.push_back(where + ": a label holds mask tokens: '" + e["label"].get<std::string>() + "'");
            if (e.contains("mask_2d") &&
                (!e["mask_2d"].is_string() || countOf(e["mask_2d"].get<std::string>(), "<|mt_start|>") != 1))
                problems.push_back(where + ": 'mask_2d' must be a string with exactly one mask group");
        }
    }
}

// The exporter's own grounding markup (InternVL's <ref>phrase</ref> and <box>[[x1, y1, x2, y2]]</box>), well formed,
// is not users' text: it is left out of the markup check.
std::string withoutGrounding(const std::string& text) {
    static const std::regex grounding(R"(<ref>[^<]*</ref>(<box>\[\[\d+, \d+, \d+, \d+\]\]</box>)?)");
    return std::regex_replace(text, grounding, " ");
}

struct RecordCheck {
    const ValidationOptions& options;
    const FileFacts& facts;
    ValidationReport& report;

    void run(const json& j, int index, int line) {
        std::vector<std::string> problems;
        std::vector<std::string> images;
        std::vector<std::pair<bool, std::string>> imagesInList;
        Record r = readRecord(j, problems);
        if (options.target) {
            problems.clear();  // the target's own rules name what it reads
            RecordMedia media;
            checkRecordFor(*options.target, j, problems, media);
            r.images = media.images;
        }
        ++report.records;
        report.images += static_cast<int>(r.images.size());
        int placeholders = 0;
        for (std::size_t t = 0; t < r.turns.size(); ++t) {
            const Turn& turn = r.turns[t];
            const std::string where = std::string(turn.user ? "user" : "assistant") + " turn " + std::to_string(t + 1);
            const auto markup = trainerMarkupIn(withoutGrounding(turn.text));
            if (markup && (!options.target || (*markup != "<video>" && *markup != "<audio>")))
                problems.push_back(where + ": '" + *markup + "' is markup the trainers read, not text");
            const int n = countOf(turn.text, "<image>");
            if (turn.user)
                placeholders += n;
            else if (n > 0 && !options.target)
                problems.push_back(where + ": an <image> placeholder in an answer");
            for (const TokenPair& pair : checkGroups(turn.text, options.codebookSize, where, problems)) {
                ++report.maskGroups;
                report.pairs.push_back({pair, index, line, r.images.empty() ? std::string() : r.images.front()});
            }
            if (!turn.user) checkFencedJson(turn.text, where, problems);
        }
        if (!options.target && placeholders != static_cast<int>(r.images.size()))
            problems.push_back(std::to_string(placeholders) + " <image> placeholder(s) for " +
                               std::to_string(r.images.size()) + " image(s)");
        if (options.checkPaths) checkPaths(r.images, problems);
        for (auto& m : problems) report.issues.push_back({line, index, std::move(m)});
    }

    void checkPaths(const std::vector<std::string>& images, std::vector<std::string>& problems) const {
        const fs::path root =
            options.imageRoot.empty() ? fs::absolute(facts.path).parent_path() : fs::path(options.imageRoot);
        for (const auto& img : images) {
            fs::path p = fs::path(img).is_absolute() ? fs::path(img) : root / img;
            if (options.target) {
                const ResolvedPath r = resolveImageFor(*options.target, facts, img, options.imageRoot);
                if (!r.problem.empty()) {
                    problems.push_back(r.problem);
                    continue;
                }
                if (r.path.empty()) continue;
                p = r.path;
            }
            if (!fs::is_regular_file(p)) problems.push_back("image not found: '" + p.string() + "'");
        }
    }
};

}  // namespace

ValidationReport validateDataset(const std::string& path, const ValidationOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError("cannot read '" + path + "'");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();

    std::vector<std::pair<int, std::string>> records;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) throw UserError("'" + path + "' is empty");
    FileFacts facts;
    facts.path = fs::absolute(path);
    facts.isArray = text[first] == '[';
    if (facts.isArray) {
        records = splitArray(text);
    } else {
        std::istringstream lines(text);
        std::string l;
        for (int n = 1; std::getline(lines, l); ++n)
            if (l.find_first_not_of(" \t\r") != std::string::npos) records.emplace_back(n, l);
    }
    if (options.target == exporter::Target::InternVL) findInternVLMeta(facts);

    ValidationReport report;
    RecordCheck check{options, facts, report};
    for (std::size_t i = 0; i < records.size(); ++i) {
        const int line = records[i].first;
        json j;
        try {
            j = json::parse(records[i].second);
        } catch (const json::exception& e) {
            report.issues.push_back({line, static_cast<int>(i), std::string("not valid JSON: ") + e.what()});
            ++report.records;
            continue;
        }
        check.run(j, static_cast<int>(i), line);
    }
    if (options.target) {
        facts.records = report.records;
        for (const auto& p : report.pairs) facts.maxCode = std::max({facts.maxCode, p.c0, p.c1 + options.codebookSize});
        for (auto& m : checkFileFor(*options.target, facts)) report.issues.push_back({0, -1, std::move(m)});
    }
    return report;
}

}  // namespace samtok::dataset
