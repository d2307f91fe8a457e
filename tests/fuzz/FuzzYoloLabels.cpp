// YOLO-seg label files as `samtok import yolo` reads them: the parser alone, then the import of one image's file.
#include "FuzzImportSupport.h"
#include "dataset/Import.h"
#include "dataset/YoloSeg.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = samtok::fuzz::scratchDir();
    const std::string path = samtok::fuzz::annotationFile(dir, data, size, "a.txt");
    try {
        (void)samtok::readYoloSegLabels(path, 64, 48);
    } catch (const samtok::UserError&) {
    }
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        (void)samtok::dataset::importYoloSeg(store, samtok::fuzz::photo(dir), path, {"cup", "disc"});
    } catch (const samtok::UserError&) {
    }
    return 0;
}
