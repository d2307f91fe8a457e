#pragma once
// Question templates per task, chosen per sample by a seeded hash of what the
// sample is about, so an export is the same on every run and every machine.
// Placeholders: {X} the expression or class (RefSeg, GRES), {SEG} the region's
// mask tokens (region captioning).
#include "export/Sample.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace samtok::exporter {

struct TemplatePools {
    std::map<Task, std::vector<std::string>> questions;
    std::string zoomSuffix;  // region captioning with a zoom-in view; {ZOOM_IN_SEG} = the crop's tokens

    static TemplatePools defaults();
    // {"refseg": [...], "gres": [...], "gcg": [...], "regioncap": [...], "zoom_suffix": "..."};
    // tasks not named keep their defaults. Throws UserError naming a bad entry.
    static TemplatePools fromJsonFile(const std::string& path);

    const std::string& pick(Task task, std::uint64_t seed, const std::string& key) const;
};

// FNV-1a 64 of the seed and key, mixed: stable across compilers, unlike std::hash.
std::uint64_t stableHash(std::uint64_t seed, const std::string& key);

// Replaces every occurrence of `what` in `text`.
std::string replaceAll(std::string text, const std::string& what, const std::string& with);

}  // namespace samtok::exporter
