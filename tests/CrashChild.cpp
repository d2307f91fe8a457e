// Helper for CrashTest: appends annotations to a project, one transaction
// each, and prints every id once its transaction has committed. It runs until
// it is killed.
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <cstdio>
#include <random>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s PROJECT IMAGE_ID\n", argv[0]);
        return 2;
    }
    samtok::ProjectStore store = samtok::ProjectStore::open(argv[1]);
    const samtok::RowId image = std::stoll(argv[2]);
    std::mt19937 rng(static_cast<unsigned>(::getpid()));
    for (;;) {
        samtok::Mask m(48, 64);
        const int x0 = static_cast<int>(rng() % 40), y0 = static_cast<int>(rng() % 30);
        for (int y = y0; y < y0 + 15; ++y)
            for (int x = x0; x < x0 + 20; ++x) m.set(y, x, true);
        samtok::Annotation a;
        a.imageId = image;
        a.mask = samtok::rle::encode(m);
        a.caption = std::string(rng() % 2000, 'x');  // varied row sizes: page splits, overflow pages
        samtok::RowId id = 0;
        store.transaction([&] {
            id = store.addAnnotation(a);
            store.addReferringExpression(id, "region " + std::to_string(id));
        });
        std::printf("%lld\n", static_cast<long long>(id));
        std::fflush(stdout);
    }
}
