#pragma once
// For the importer targets: a fresh project in the process's scratch folder, and the fuzzed bytes as an annotation
// file beside the photo "a.png" it may name.
#include "FuzzSupport.h"
#include "store/ProjectStore.h"

#include <cstdio>
#include <string>

namespace samtok::fuzz {

inline ProjectStore freshProject(const std::string& dir) {
    const std::string p = dir + "/p.samtok";
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((p + suffix).c_str());
    return ProjectStore::create(p, "fuzz");
}

inline std::string annotationFile(const std::string& dir, const std::uint8_t* data, std::size_t size,
                                  const std::string& name) {
    photo(dir);
    const std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

}  // namespace samtok::fuzz
