#pragma once
// Shared by the fuzz targets: the bytes as a file (for readers that take a path), and the rule every target
// follows: a reader may refuse bytes with a UserError naming the problem; anything else (another exception, a
// crash, a sanitizer report, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <unistd.h>

namespace samtok::fuzz {

inline std::string asFile(const std::uint8_t* data, std::size_t size, const std::string& extension) {
    const std::string path = "/tmp/samtok-fuzz-" + std::to_string(::getpid()) + extension;
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

}  // namespace samtok::fuzz
