// Project files (SQLite) as `samtok project info` and the studio open them: opened, then every image, region, text
// and token row read.
#include "FuzzSupport.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = samtok::fuzz::scratchDir();
    const std::string path = dir + "/f.samtok";
    for (const char* suffix : {"-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    try {
        samtok::ProjectStore store = samtok::ProjectStore::open(path);
        (void)store.integrityCheck();
        for (const auto& t : store.tokenizers()) (void)store.tokensOf(t.id);
        (void)store.classes();
        for (const auto& im : store.images()) {
            std::vector<samtok::DamagedAnnotation> damaged;
            for (const auto& a : store.readableAnnotationsForImage(im.id, damaged)) {
                (void)store.referringExpressions(a.id);
                (void)store.regionQuestions(a.id);
            }
            (void)store.imageExpressions(im.id);
            (void)store.groundedCaption(im.id);
        }
        (void)store.edits();
    } catch (const samtok::UserError&) {
    }
    return 0;
}
