// Region and grounded captions as `samtok import gcg|dam` read them, into a fresh project. The first byte picks the
// reader: even GLaMM GCG (COCO-style with captions and tokens_positive spans), odd Describe-Anything (DAM) items
// with mask RLEs; the rest is the JSON file, beside the photo "a.png" both may name.
#include "FuzzImportSupport.h"
#include "dataset/Import.h"
#include "util/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool dam = data[0] % 2 == 1;
    const std::string dir = samtok::fuzz::scratchDir();
    const std::string path = samtok::fuzz::annotationFile(dir, data + 1, size - 1, dam ? "dam.json" : "gcg.json");
    try {
        samtok::ProjectStore store = samtok::fuzz::freshProject(dir);
        if (dam)
            (void)samtok::dataset::importDam(store, path, dir);
        else
            (void)samtok::dataset::importGcg(store, path, dir);
    } catch (const samtok::UserError&) {
    }
    return 0;
}
