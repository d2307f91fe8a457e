// RefCOCO / RefCOCO+ / RefCOCOg refs (pickle or JSON) and gRefCOCO grefs, as `samtok import refcoco|grefcoco` read
// them, beside a fixed, valid instances.json, into a fresh project. The first byte picks the reader and the format:
// 0 refs.p, 1 refs.json, 2 grefs.json, 3 grefs.p; the rest is the file.
#include "FuzzImportSupport.h"
#include "dataset/Import.h"
#include "util/Error.h"

namespace {

const char kInstances[] =
    R"({"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}],
 "categories": [{"id": 1, "name": "cup"}, {"id": 2, "name": "disc"}],
 "annotations": [{"id": 101, "image_id": 1, "category_id": 1, "iscrowd": 0, "segmentation": [[1, 1, 30, 1, 30, 20]]},
                 {"id": 102, "image_id": 1, "category_id": 2, "iscrowd": 0, "segmentation": [[40, 9, 60, 9, 60, 40]]}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int kind = data[0] % 4;
    const std::string dir = samtok::fuzz::scratchDir();
    static const std::string instances = samtok::fuzz::annotationFile(
        dir, reinterpret_cast<const std::uint8_t*>(kInstances), sizeof kInstances - 1, "instances.json");
    const char* names[] = {"refs(unc).p", "refs(unc).json", "grefs(unc).json", "grefs(unc).p"};
    const std::string path = samtok::fuzz::annotationFile(dir, data + 1, size - 1, names[kind]);
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        if (kind < 2)
            (void)samtok::dataset::importRefCoco(store, path, instances, dir);
        else
            (void)samtok::dataset::importGRefCoco(store, path, instances, dir);
    } catch (const samtok::UserError&) {
    }
    return 0;
}
