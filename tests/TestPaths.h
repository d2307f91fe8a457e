#pragma once
#include <filesystem>
#include <string>

namespace samtok::test {

// ../shared beside the repository: read-only reference data.
inline std::filesystem::path sharedDir() { return SAMTOK_SHARED_DIR; }

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
