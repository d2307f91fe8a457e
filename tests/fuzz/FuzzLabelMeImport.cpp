// LabelMe files as `samtok import labelme` reads them (polygons, rectangles, circles, base64 PNG masks), into a fresh
// project.
#include "FuzzImportSupport.h"
#include "dataset/Import.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = samtok::fuzz::scratchDir();
    const std::string path = samtok::fuzz::annotationFile(dir, data, size, "a.json");
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        (void)samtok::dataset::importLabelMe(store, path);
    } catch (const samtok::UserError&) {
    }
    return 0;
}
