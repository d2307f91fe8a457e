// Helper for CrashTest and ConcurrentProjectTest: appends annotations to a
// project, one transaction each, and prints every id once its transaction has
// committed.
//
//   store_crash_child PROJECT IMAGE_ID            commits in a loop until killed
//   store_crash_child --studio PROJECT IMAGE_ID   as the studio does: one connection held open for the
//                                                 session, and the project opened a second time in the same
//                                                 process after each commit (the worker's job that computes
//                                                 the region's tokens); commits once per line on stdin
//   store_crash_child --studio-loop PROJECT IMAGE_ID   the same, in a loop until killed
//
// Errors are printed as "error: ..." on stdout, so a test sees them in order.
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <cstdio>
#include <exception>
#include <iostream>
#include <random>
#include <string>
#include <unistd.h>

namespace {

samtok::RowId commitOne(samtok::ProjectStore& store, samtok::RowId image, std::mt19937& rng) {
    samtok::Mask m(48, 64);
    const int x0 = static_cast<int>(rng() % 40), y0 = static_cast<int>(rng() % 30);
    for (int y = y0; y < y0 + 15; ++y)
        for (int x = x0; x < x0 + 20; ++x) m.set(y, x, true);
    samtok::Annotation a;
    a.imageId = image;
    a.mask = samtok::rle::encode(m);
    a.source = samtok::AnnotationSource::Click;
    a.caption = std::string(rng() % 2000, 'x');  // varied row sizes: page splits, overflow pages
    samtok::RowId id = 0;
    store.transaction([&] {
        id = store.addAnnotation(a);
        store.addReferringExpression(id, "region " + std::to_string(id));
    });
    return id;
}

void report(samtok::RowId id) {
    std::printf("%lld\n", static_cast<long long>(id));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc == 4 ? argv[1] : "";
    if (!(argc == 3 || (argc == 4 && (mode == "--studio" || mode == "--studio-loop")))) {
        std::fprintf(stderr, "usage: %s [--studio | --studio-loop] PROJECT IMAGE_ID\n", argv[0]);
        return 2;
    }
    const std::string project = argv[argc - 2];
    const samtok::RowId image = std::stoll(argv[argc - 1]);
    std::mt19937 rng(static_cast<unsigned>(::getpid()));
    try {
        samtok::ProjectStore store = samtok::ProjectStore::open(project);
        if (mode.empty()) {
            for (;;) report(commitOne(store, image, rng));
        }
        std::string line;
        while (mode == "--studio-loop" || std::getline(std::cin, line)) {
            report(commitOne(store, image, rng));
            samtok::ProjectStore job = samtok::ProjectStore::open(project);  // the worker's job, then closed
            std::printf("job-done\n");
            std::fflush(stdout);
            if (mode == "--studio-loop") ::usleep(20000);  // an annotator's pace, not a bulk import's
        }
    } catch (const std::exception& e) {
        std::printf("error: %s\n", e.what());
        std::fflush(stdout);
        return 1;
    }
    return 0;
}
