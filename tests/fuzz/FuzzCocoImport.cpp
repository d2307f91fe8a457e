// COCO / LVIS instances files as `samtok import coco` reads them (images under the file's folder), into a fresh
// project.
#include "FuzzImportSupport.h"
#include "dataset/Import.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = samtok::fuzz::scratchDir();
    const std::string path = samtok::fuzz::annotationFile(dir, data, size, "instances.json");
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        (void)samtok::dataset::importCoco(store, path, dir);
    } catch (const samtok::UserError&) {
    }
    return 0;
}
