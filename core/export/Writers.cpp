#include "export/Writers.h"

#include <nlohmann/json.hpp>

namespace samtok::exporter {

using nlohmann::ordered_json;

namespace {

ordered_json fromValueTurns(const Sample& s) {  // qwen-vl-finetune, LLaVA, InternVL
    ordered_json turns = ordered_json::array();
    for (const auto& t : s.turns) turns.push_back({{"from", t.user ? "human" : "gpt"}, {"value", t.text}});
    return turns;
}

ordered_json roleContentTurns(const Sample& s) {  // LLaMA-Factory, ms-swift
    ordered_json turns = ordered_json::array();
    for (const auto& t : s.turns) turns.push_back({{"role", t.user ? "user" : "assistant"}, {"content", t.text}});
    return turns;
}

ordered_json imageField(const std::vector<std::string>& paths) {
    return paths.size() == 1 ? ordered_json(paths[0]) : ordered_json(paths);
}

ordered_json record(Target t, const PlacedSample& p, std::size_t index, const std::string& idPrefix) {
    const Sample& s = *p.sample;
    switch (t) {
        case Target::SamTokJson:
        case Target::SamTokJsonl:
            return {{"image", imageField(p.paths)}, {"conversations", fromValueTurns(s)}};
        case Target::LlamaFactory:
        case Target::Swift:
            return {{"messages", roleContentTurns(s)}, {"images", p.paths}};
        case Target::Llava:
            return {{"id", idPrefix + "-" + std::to_string(index)},
                    {"image", imageField(p.paths)},
                    {"conversations", fromValueTurns(s)}};
        case Target::InternVL: {
            ordered_json r{{"id", index}, {"image", imageField(p.paths)}};
            if (s.images.size() == 1) {
                r["width"] = s.images[0].width;
                r["height"] = s.images[0].height;
            } else {
                ordered_json w = ordered_json::array(), h = ordered_json::array();
                for (const auto& im : s.images) w.push_back(im.width), h.push_back(im.height);
                r["width_list"] = w;
                r["height_list"] = h;
            }
            r["conversations"] = fromValueTurns(s);
            return r;
        }
    }
    return {};
}

bool isLines(Target t) {
    return t == Target::SamTokJsonl || t == Target::Swift || t == Target::InternVL;
}

}  // namespace

const char* fileExtension(Target t) {
    return isLines(t) ? ".jsonl" : ".json";
}

std::string formatRecords(Target t, const std::vector<PlacedSample>& samples, const std::string& idPrefix) {
    std::string out;
    out.reserve(samples.size() * 400);
    if (!isLines(t)) out += "[\n";
    for (std::size_t i = 0; i < samples.size(); ++i) {
        out += record(t, samples[i], i, idPrefix).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
        if (!isLines(t) && i + 1 < samples.size()) out += ",";
        out += "\n";
    }
    if (!isLines(t)) out += "]\n";
    return out;
}

std::vector<Registration> registrations(Target t, const std::string& name, const std::vector<SplitFile>& files,
                                        const Layout& layout) {
    auto entryName = [&](const SplitFile& f) { return f.split.empty() ? name : name + "_" + f.split; };
    if (t == Target::LlamaFactory) {
        // With dataset_dir set to the export folder, media_dir defaults to it too.
        ordered_json info = ordered_json::object();
        for (const auto& f : files)
            info[entryName(f)] = {{"file_name", f.file},
                                  {"formatting", "sharegpt"},
                                  {"columns", {{"messages", "messages"}, {"images", "images"}}},
                                  {"tags",
                                   {{"role_tag", "role"},
                                    {"content_tag", "content"},
                                    {"user_tag", "user"},
                                    {"assistant_tag", "assistant"}}}};
        return {{"dataset_info.json", info.dump(2) + "\n"}};
    }
    if (t == Target::InternVL) {
        // InternVL trains on every entry of a meta file: one file per split, so that val is never trained on.
        // Paths are relative to the export folder (train_internvl.sh launches there), or under --path-prefix, which
        // the records then carry themselves (so `root` stays empty: InternVL joins it to each image path).
        const std::string at = layout.prefix.empty() ? std::string() : layout.prefix + "/";
        const std::string root = layout.absoluteImages || !at.empty() ? "" : "./";
        std::vector<Registration> out;
        for (const auto& f : files) {
            ordered_json meta = ordered_json::object();
            meta[entryName(f)] = {{"root", root},           {"annotation", at + f.file}, {"data_augment", false},
                                  {"max_dynamic_patch", 6}, {"repeat_time", 1},          {"length", f.records}};
            out.push_back({entryName(f) + "_meta.json", meta.dump(2) + "\n"});
        }
        return out;
    }
    return {};
}

}  // namespace samtok::exporter
