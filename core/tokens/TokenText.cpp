#include "tokens/TokenText.h"

#include <cstdio>

namespace samtok {
namespace {

enum class TagKind { Start, End, Id };
struct Tag {
    TagKind kind;
    int id = 0;
    std::size_t begin = 0, end = 0;
};

// All <|mt_start|>, <|mt_end|> and <|mt_dddd|> tags, in order.
std::vector<Tag> scanTags(std::string_view t) {
    std::vector<Tag> tags;
    const std::string_view open = "<|mt_";
    for (std::size_t p = t.find(open); p != std::string_view::npos; p = t.find(open, p + 1)) {
        const std::size_t body = p + open.size();
        if (t.substr(body, 7) == "start|>") {
            tags.push_back({TagKind::Start, 0, p, body + 7});
        } else if (t.substr(body, 5) == "end|>") {
            tags.push_back({TagKind::End, 0, p, body + 5});
        } else if (body + 6 <= t.size() && t.substr(body + 4, 2) == "|>") {
            bool digits = true;
            int id = 0;
            for (std::size_t i = 0; i < 4; ++i) {
                const char c = t[body + i];
                digits &= c >= '0' && c <= '9';
                id = id * 10 + (c - '0');
            }
            if (digits) tags.push_back({TagKind::Id, id, p, body + 6});
        }
    }
    return tags;
}

std::string at(std::size_t pos) {
    return "at byte " + std::to_string(pos);
}

}  // namespace

std::string formatMaskTokens(TokenPair pair, int codebookSize) {
    char buf[64];
    if (!pair.hasSecondCode())  // written back as the one-code group it was read from
        std::snprintf(buf, sizeof buf, "<|mt_start|><|mt_%04d|><|mt_end|>", pair.c0);
    else
        std::snprintf(buf, sizeof buf, "<|mt_start|><|mt_%04d|><|mt_%04d|><|mt_end|>", pair.c0, pair.c1 + codebookSize);
    return buf;
}

std::optional<std::string> trainerMarkupIn(std::string_view text) {
    // Not in the list: Qwen's <|object_ref_start|> and <|object_ref_end|>, which the exporter's own grounded
    // captions write around each phrase.
    static const char* const kMarkup[] = {
        "<video>",        "<audio>",        "<|im_start|>",  "<|im_end|>",    "<|endoftext|>", "<|vision_start|>",
        "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<|box_start|>", "<|box_end|>",
        "<|quad_start|>", "<|quad_end|>",   "<ref>",         "</ref>",        "<box>",         "</box>",
        "<img>",          "</img>",         "<IMG_CONTEXT>", "<quad>",        "</quad>"};
    std::optional<std::string> first;
    std::size_t at = std::string_view::npos;
    for (const char* m : kMarkup)
        if (const std::size_t p = text.find(m); p != std::string_view::npos && p < at) at = p, first = m;
    return first;
}

std::vector<std::string> maskTokenVocabulary(int codebookSize) {
    std::vector<std::string> v{"<|mt_start|>"};
    char buf[32];
    for (int i = 0; i < 2 * codebookSize; ++i) {
        std::snprintf(buf, sizeof buf, "<|mt_%04d|>", i);
        v.emplace_back(buf);
    }
    v.emplace_back("<|mt_end|>");
    return v;
}

TokenParse parseMaskTokens(std::string_view text, int codebookSize) {
    TokenParse out;
    const std::vector<Tag> tags = scanTags(text);
    auto adjacent = [&](std::size_t i) { return i + 1 < tags.size() && tags[i + 1].begin == tags[i].end; };
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (tags[i].kind != TagKind::Start) continue;
        // The codes written directly after <|mt_start|>.
        std::vector<std::size_t> ids;
        std::size_t last = i;
        while (adjacent(last) && tags[last + 1].kind == TagKind::Id) ids.push_back(++last);
        const bool endFollows = adjacent(last) && tags[last + 1].kind == TagKind::End;
        // "Not followed by another mask token": nothing of the <|mt_ family comes right after.
        const bool nothingFollows = text.substr(tags[last].end, 5) != "<|mt_";
        TokenGroup g;
        g.begin = tags[i].begin;
        if (ids.size() >= 2 && endFollows) {
            g.c0 = tags[ids[0]].id;
            g.c1 = tags[ids[1]].id - codebookSize;
            g.end = tags[last + 1].end;
            if (ids.size() > 2) g.repair = "kept the first two of " + std::to_string(ids.size()) + " codes";
        } else if (ids.size() == 1 && (endFollows || nothingFollows)) {
            g.c0 = tags[ids[0]].id;
            g.c1 = kMissingCode;
            g.end = endFollows ? tags[last + 1].end : tags[last].end;
            g.repair = endFollows ? "second code missing" : "second code and <|mt_end|> missing";
        } else {
            out.warnings.push_back("dropped an incomplete mask token group " + at(g.begin) +
                                   (ids.empty()       ? " (no codes)"
                                    : ids.size() >= 2 ? " (no <|mt_end|>)"
                                                      : ""));
            i = last;
            continue;
        }
        i = endFollows ? last + 1 : last;
        if (g.c1 != kMissingCode && (g.c1 < 0 || g.c1 >= codebookSize)) {
            g.repair += std::string(g.repair.empty() ? "" : "; ") + "second code " +
                        std::to_string(g.c1 + codebookSize) + " is not a second-codebook token, read as missing";
            g.c1 = kMissingCode;
        }
        if (g.c0 < 0 || g.c0 >= codebookSize) {
            out.warnings.push_back("dropped the group " + at(g.begin) + ": first code " + std::to_string(g.c0) +
                                   " is not a first-codebook token");
            continue;
        }
        if (!g.repair.empty()) out.warnings.push_back("repaired the group " + at(g.begin) + ": " + g.repair);
        out.groups.push_back(g);
    }
    return out;
}

}  // namespace samtok
