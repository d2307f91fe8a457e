#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace samtok::test {

// ../shared beside the repository: read-only reference data.
inline std::filesystem::path sharedDir() {
    return SAMTOK_SHARED_DIR;
}

// Where the model tests run the networks: SAMTOK_TEST_DEVICE (cuda, cuda:1),
// else the CPU. A CUDA build runs the same parity and training checks there.
inline std::string testDevice() {
    const char* d = std::getenv("SAMTOK_TEST_DEVICE");
    return d && *d ? d : "cpu";
}

// A file's bytes, whole; empty where it cannot be read.
inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A fresh, empty folder for one test, removed when the object goes.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace samtok::test
