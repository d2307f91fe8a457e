#pragma once
// Shared by the fuzz targets: the bytes as a file (for readers that take a path), and the rule every target
// follows: a reader may refuse bytes with a UserError naming the problem; anything else (another exception, a
// crash, a sanitizer report, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace samtok::fuzz {

inline constexpr char kPhotoPng[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x40\x00\x00\x00\x30\x08\x02\x00\x00"
    "\x00\x2e\x29\xeb\x48\x00\x00\x00\x43\x49\x44\x41\x54\x78\xda\xed\xcf\x41\x09\x00\x00\x08\x04\xb0\x4b\x62\x30\xd3"
    "\x19\xd5\x0a\x7e\x85\xc1\x0a\x2c\xd5\xf3\x5a\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"
    "\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\xae\x16\xf6\xce\x20\xc4\x61\xe7\xb2\xa0"
    "\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

// Where a target's files go: memory (/dev/shm) where there is one, so that the importer targets, which create a
// project per input, spend their time in the readers and not in the disk's fsync (4x more inputs a second here).
inline std::string scratchPrefix() {
    return ::access("/dev/shm", W_OK) == 0 ? "/dev/shm/samtok-fuzz-" : "/tmp/samtok-fuzz-";
}

inline std::string asFile(const std::uint8_t* data, std::size_t size, const std::string& extension) {
    const std::string path = scratchPrefix() + std::to_string(::getpid()) + extension;
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

// A folder of this process's own for targets that need several files (an annotation file beside its image).
inline std::string scratchDir() {
    const std::string dir = scratchPrefix() + std::to_string(::getpid()) + ".d";
    ::mkdir(dir.c_str(), 0755);
    return dir;
}

// A small photo the annotation files can name ("a.png", 64 x 48), written once per process.
inline std::string photo(const std::string& dir) {
    static const std::string path = [&] {
        // An 8-bit RGB PNG, 64 x 48, one colour, made by OpenCV and kept as bytes here so no encoder runs per input.
        std::ofstream(dir + "/a.png", std::ios::binary).write(kPhotoPng, sizeof kPhotoPng - 1);
        return dir + "/a.png";
    }();
    return path;
}

}  // namespace samtok::fuzz
