#include "export/TaskTemplates.h"

#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace samtok::exporter {

const char* toString(Task t) {
    switch (t) {
        case Task::RefSeg:
            return "refseg";
        case Task::Gres:
            return "gres";
        case Task::Gcg:
            return "gcg";
        case Task::RegionCaption:
            return "regioncap";
        case Task::RegionVqa:
            return "vqa";
        case Task::RefDet:
            return "refdet";
    }
    return "?";
}

Task taskFromString(const std::string& s) {
    for (Task t : {Task::RefSeg, Task::Gres, Task::Gcg, Task::RegionCaption, Task::RegionVqa, Task::RefDet})
        if (s == toString(t)) return t;
    throw UserError("unknown task '" + s + "' (choose refseg, gres, gcg, regioncap, vqa, refdet)");
}

TemplatePools TemplatePools::defaults() {
    TemplatePools p;
    // Mask generation, in the manner of SAMTok's referring-segmentation prompts.
    const std::vector<std::string> segment{
        "Please identify and segment the {X} in this image.",
        "Where is the {X} in this picture? Please respond with a segmentation mask.",
        "Can you segment the {X} in this image?",
        "Please segment the {X} in this image.",
        "What is the {X} in this image? Please output its segmentation mask.",
        "Segment the {X}.",
        "Could you provide a segmentation mask for the {X} in this image?",
        "Highlight the {X} in this picture with a mask.",
        "Please output the mask of the {X}.",
        "Find the {X} in the image and segment it.",
        "I need the segmentation of the {X} in this image.",
        "Which region is the {X}? Answer with a segmentation mask.",
        "Locate the {X} in this picture and give its mask.",
        "Show me where the {X} is by segmenting it.",
        "Produce a segmentation mask for the {X}.",
        "Please mark the {X} in this image with a mask.",
    };
    p.questions[Task::RefSeg] = segment;
    p.questions[Task::Gres] = segment;
    p.questions[Task::RefDet] = {
        "Locate the {X} and output its bbox in JSON.",
        "Find the {X} in the image and give its bounding box in JSON.",
        "Where is the {X}? Answer with its bbox_2d in JSON.",
        "Output the bounding box of the {X} in JSON format.",
    };
    p.questions[Task::Gcg] = {
        "Could you please give me a detail description of the image? Please respond with interleaved segmentation "
        "masks for the corresponding parts of the answer.",
        "Please describe the image in detail, with segmentation masks for the objects you mention.",
        "Can you provide a thorough description of this image? Please output interleaved segmentation masks for the "
        "corresponding phrases.",
    };
    // Region captioning: the mask tokens are input, in the user turn.
    p.questions[Task::RegionCaption] = {
        "Describe the region {SEG} in detail.",
        "Please describe the region {SEG} in detail.",
        "What is in the region {SEG}? Describe it in detail.",
        "Give a detailed description of the region {SEG}.",
        "Describe the masked area {SEG} comprehensively.",
        "{SEG}\nDescribe the masked area comprehensively.",
        "{SEG}\nDescribe the region in detail.",
        "{SEG}\nWhat does this masked region show? Describe it in detail.",
        "{SEG}\nPlease give a detailed description of the masked region.",
    };
    p.zoomSuffix = " Zoom in with the perspective as <image>, {ZOOM_IN_SEG}.";
    return p;
}

TemplatePools TemplatePools::fromJsonFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UserError("cannot read the templates file '" + path + "'");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {  // parse errors, and numbers beyond a double
        throw FormatError("'" + path + "' is not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw FormatError("'" + path + "' must hold an object of template lists");
    TemplatePools p = defaults();
    for (const auto& [key, value] : j.items()) {
        if (key == "zoom_suffix") {
            if (!value.is_string() || value.get<std::string>().find("{ZOOM_IN_SEG}") == std::string::npos ||
                value.get<std::string>().find("<image>") == std::string::npos)
                throw FormatError("'" + path + "': zoom_suffix must be a string with <image> and {ZOOM_IN_SEG}");
            p.zoomSuffix = value;
            continue;
        }
        const Task task = taskFromString(key);
        if (task == Task::RegionVqa)
            throw FormatError("'" + path + "': vqa questions come from the project, not templates");
        if (!value.is_array() || value.empty())
            throw FormatError("'" + path + "': '" + key + "' must be a non-empty list");
        std::vector<std::string> list;
        const char* slot = task == Task::RegionCaption ? "{SEG}" : task == Task::Gcg ? nullptr : "{X}";
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (!value[i].is_string())
                throw FormatError("'" + path + "': " + key + "[" + std::to_string(i) + "] is not a string");
            const std::string t = value[i];
            if (slot && t.find(slot) == std::string::npos)
                throw FormatError("'" + path + "': " + key + "[" + std::to_string(i) + "] lacks the placeholder " +
                                  slot);
            if (t.find("<image>") != std::string::npos)
                throw FormatError("'" + path + "': " + key + "[" + std::to_string(i) +
                                  "] contains <image>; the exporter places the image itself");
            list.push_back(t);
        }
        p.questions[task] = std::move(list);
    }
    return p;
}

std::uint64_t stableHash(std::uint64_t seed, const std::string& key) {
    std::uint64_t h = 1469598103934665603ull ^ seed;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    // splitmix64 finaliser: FNV's low bits alone are poorly mixed.
    h += 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

const std::string& TemplatePools::pick(Task task, std::uint64_t seed, const std::string& key) const {
    const auto& list = questions.at(task);
    return list[stableHash(seed, key) % list.size()];
}

std::string replaceAll(std::string text, const std::string& what, const std::string& with) {
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
    return text;
}

}  // namespace samtok::exporter
