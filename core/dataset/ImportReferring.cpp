// RefCOCO-family referring expressions and gRefCOCO's generalised ones.
#include "dataset/Import.h"
#include "dataset/ImportTarget.h"
#include "dataset/PickleData.h"
#include "util/Error.h"

#include <algorithm>
#include <filesystem>
#include <memory>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::dataset {
namespace {

json readRefs(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    json refs = ext == ".p" || ext == ".pkl" || ext == ".pickle" ? readPickleDataFile(path) : readJsonFile(path);
    if (!refs.is_array()) throw FormatError("'" + path + "' does not hold a list of refs");
    return refs;
}

std::vector<std::int64_t> annIds(const json& ref) {
    const json& a = ref.at("ann_id");
    if (a.is_array()) return a.get<std::vector<std::int64_t>>();
    return {jsonId(a)};
}

std::vector<std::string> sentences(const json& ref) {
    std::vector<std::string> out;
    for (const auto& s : ref.value("sentences", json::array())) {
        std::string text = s.is_object()   ? s.value("sent", s.value("raw", std::string()))
                           : s.is_string() ? s.get<std::string>()
                                           : "";
        const auto b = text.find_first_not_of(" \t\n"), e = text.find_last_not_of(" \t\n");
        if (b != std::string::npos) out.push_back(text.substr(b, e - b + 1));
    }
    return out;
}

// The chosen refs and the COCO images they need.
std::vector<const json*> chooseRefs(const json& refs, const std::string& split, std::set<std::int64_t>& images) {
    std::vector<const json*> out;
    for (const auto& r : refs) {
        if (!r.is_object() || !r.contains("image_id")) continue;
        if (!split.empty() && r.value("split", std::string()) != split) continue;
        out.push_back(&r);
        images.insert(jsonId(r["image_id"]));
    }
    return out;
}

struct Refs {
    json refs, coco;
    std::set<std::int64_t> images;  // COCO image ids the chosen refs need
    std::vector<const json*> chosen;
};

// The refs file and the instances file, and the refs of the split; refuses a choice with none.
std::unique_ptr<Refs> loadRefs(const std::string& refsPath, const std::string& instancesPath,
                               const std::string& split) {
    auto r = std::make_unique<Refs>();
    r->refs = readRefs(refsPath);
    r->coco = readJsonFile(instancesPath);
    r->chosen = chooseRefs(r->refs, split, r->images);
    if (r->chosen.empty())
        throw UserError("'" + refsPath + "' has no refs" +
                        (split.empty() ? std::string() : " of split '" + split + "'"));
    return r;
}

std::string where(const std::string& path, const json& ref, std::size_t index) {
    return path + ": ref " + std::to_string(index) + " (ref_id " +
           (ref.contains("ref_id") ? ref["ref_id"].dump() : "?") + ")";
}

}  // namespace

ImportReport importRefCoco(ProjectStore& store, const std::string& refsPath, const std::string& instancesPath,
                           const std::string& imageRoot, const std::string& split) {
    return importingFile(refsPath + "' with '" + instancesPath, [&] {
        const auto loaded = loadRefs(refsPath, instancesPath, split);
        const json& coco = loaded->coco;
        const auto& images = loaded->images;
        const auto& chosen = loaded->chosen;
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            const auto ids = addCocoInstances(target, coco, instancesPath, imageRoot, report, &images);
            for (std::size_t i = 0; i < chosen.size(); ++i) {
                const json& r = *chosen[i];
                try {
                    const auto ann = annIds(r);
                    if (ann.size() != 1)
                        throw FormatError("a RefCOCO ref names one region; use gRefCOCO import for several");
                    const auto it = ids.find(ann[0]);
                    if (it == ids.end())
                        throw FormatError("its region (ann_id " + std::to_string(ann[0]) + ") was not imported");
                    auto known = store.referringExpressions(it->second);
                    for (const auto& s : sentences(r)) {
                        if (std::find(known.begin(), known.end(), s) != known.end()) continue;
                        store.addReferringExpression(it->second, s);
                        known.push_back(s);
                        ++report.expressionsAdded;
                    }
                } catch (const std::exception& e) {
                    report.skipped.push_back(where(refsPath, r, i) + ": " + e.what());
                }
            }
        });
        return report;
    });
}

ImportReport importGRefCoco(ProjectStore& store, const std::string& grefsPath, const std::string& instancesPath,
                            const std::string& imageRoot, const std::string& split) {
    return importingFile(grefsPath + "' with '" + instancesPath, [&] {
        const auto loaded = loadRefs(grefsPath, instancesPath, split);
        const json& coco = loaded->coco;
        const auto& images = loaded->images;
        const auto& chosen = loaded->chosen;
        // COCO image id -> file, for the no-target refs whose image has no region.
        std::map<std::int64_t, std::string> files;
        for (const auto& im : coco.value("images", json::array()))
            if (im.contains("id") && im.contains("file_name"))
                files[jsonId(im["id"])] = (fs::path(imageRoot) / im["file_name"].get<std::string>()).string();
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            const auto ids = addCocoInstances(target, coco, instancesPath, imageRoot, report, &images);
            for (std::size_t i = 0; i < chosen.size(); ++i) {
                const json& r = *chosen[i];
                try {
                    const auto file = files.find(jsonId(r["image_id"]));
                    if (file == files.end())
                        throw FormatError("image_id " + r["image_id"].dump() + " is not in the instances file");
                    const RowId imageId = target.image(file->second).id;
                    std::vector<RowId> targets;
                    if (!r.value("no_target", false))
                        for (std::int64_t a : annIds(r)) {
                            if (a < 0) continue;
                            const auto it = ids.find(a);
                            if (it == ids.end())
                                throw FormatError("its region (ann_id " + std::to_string(a) + ") was not imported");
                            targets.push_back(it->second);
                        }
                    std::sort(targets.begin(), targets.end());
                    const auto known = store.imageExpressions(imageId);
                    for (const auto& s : sentences(r)) {
                        const bool seen = std::any_of(known.begin(), known.end(), [&](const ImageExpression& e) {
                            return e.text == s && e.targets == targets;
                        });
                        if (seen) continue;
                        store.addImageExpression(imageId, s, targets);
                        ++report.expressionsAdded;
                    }
                } catch (const std::exception& e) {
                    report.skipped.push_back(where(grefsPath, r, i) + ": " + e.what());
                }
            }
        });
        return report;
    });
}

}  // namespace samtok::dataset
