// Caption sources: GLaMM grounded captions (GCG) and Describe-Anything region captions.
#include "dataset/Import.h"
#include "dataset/ImportTarget.h"
#include "util/Error.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace samtok::dataset {
namespace {

// Python string indices count code points; the store keeps UTF-8 byte spans.
std::size_t byteOffset(const std::string& text, std::int64_t codePoints) {
    std::size_t at = 0;
    for (std::int64_t n = 0; n < codePoints; ++n) {
        if (at >= text.size()) throw FormatError("a phrase span runs past the caption");
        ++at;
        while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    }
    return at;
}

}  // namespace

ImportReport importGcg(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot) {
    return importingFile(jsonPath, [&] {
        const json j = readJsonFile(jsonPath);
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            const auto ids = addCocoInstances(target, j, jsonPath, imageRoot, report, nullptr);
            std::map<std::int64_t, std::vector<const json*>> annsOfImage;
            for (const auto& a : j["annotations"])
                if (a.is_object() && a.contains("image_id") && a["image_id"].is_number_integer())
                    annsOfImage[jsonId(a["image_id"])].push_back(&a);  // others were skipped by position
            for (std::size_t i = 0; i < j["images"].size(); ++i) {
                const auto& im = j["images"][i];
                const std::string where = jsonPath + ": images[" + std::to_string(i) + "]";
                try {
                    if (!im.contains("caption")) continue;
                    GroundedCaption c;
                    c.text = im["caption"].get<std::string>();
                    c.imageId = target.image((fs::path(imageRoot) / im.at("file_name").get<std::string>()).string()).id;
                    for (const json* a : annsOfImage[jsonId(im.at("id"))]) {
                        const auto id = ids.find(a->contains("id") ? jsonId((*a)["id"]) : -1);
                        if (id == ids.end())
                            throw FormatError("annotation " + a->value("id", json()).dump() + " was not imported");
                        for (const auto& span : a->value("tokens_positive", json::array()))
                            c.phrases.push_back(
                                {byteOffset(c.text, span.at(0)), byteOffset(c.text, span.at(1)), id->second});
                    }
                    std::sort(c.phrases.begin(), c.phrases.end(), [](const CaptionPhrase& a, const CaptionPhrase& b) {
                        return a.begin != b.begin ? a.begin < b.begin : a.annotationId < b.annotationId;
                    });
                    const auto known = store.groundedCaption(c.imageId);
                    if (known && known->text == c.text && known->phrases.size() == c.phrases.size()) continue;
                    store.setGroundedCaption(c);
                    ++report.captionsAdded;
                } catch (const std::exception& e) {
                    report.skipped.push_back(where + ": " + e.what());
                }
            }
        });
        return report;
    });
}

ImportReport importDam(ProjectStore& store, const std::string& jsonPath, const std::string& imageRoot) {
    return importingFile(jsonPath, [&] {
        const json j = readJsonFile(jsonPath);
        const json& items = j.is_object() && j.contains("annotations") ? j["annotations"] : j;
        if (!items.is_array()) throw FormatError("'" + jsonPath + "' is not a list of DAM region captions");
        ImportReport report;
        store.transaction([&] {
            ImportTarget target(store, report);
            for (std::size_t i = 0; i < items.size(); ++i) {
                const auto& it = items[i];
                try {
                    const json& key = it.contains("image") ? it["image"] : it.at("img_id");  // OpenImages: img_id
                    const std::string name = key.is_string() ? key.get<std::string>() : key.dump();
                    fs::path path = fs::path(imageRoot) / name;
                    if (!path.has_extension())
                        for (const char* ext : {".jpg", ".png", ".jpeg"})
                            if (fs::exists(fs::path(path).concat(ext))) {
                                path.concat(ext);
                                break;
                            }
                    const auto img = target.image(path.string());
                    const std::string caption = it.at("caption");
                    const int before = report.annotationsAdded;
                    const RowId id =
                        target.add(img, {}, cocoSegmentation(it.at("mask_rle"), img.height, img.width), caption);
                    if (report.annotationsAdded > before) {
                        ++report.captionsAdded;
                        continue;
                    }
                    auto a = store.annotation(id);
                    if (a->caption.empty()) {  // a known region gets the caption it lacked
                        a->caption = caption;
                        store.updateAnnotation(*a);
                        ++report.captionsAdded;
                    }
                } catch (const std::exception& e) {
                    report.skipped.push_back(jsonPath + ": [" + std::to_string(i) + "]: " + e.what());
                }
            }
        });
        return report;
    });
}

}  // namespace samtok::dataset
