#pragma once
// Read-only view of a ZIP archive as PyTorch writes it (torch.save): every
// entry stored uncompressed. The file is memory-mapped; entries are views.
// Anything that does not add up (offsets past the end, compressed entries,
// sizes that disagree) is refused with an error naming the entry.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace samtok::checkpoint {

class MappedFile {
public:
    explicit MappedFile(const std::string& path);  // throws CheckpointError
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

struct ZipEntry {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};

class ZipArchive {
public:
    explicit ZipArchive(std::shared_ptr<const MappedFile> file);
    bool contains(const std::string& name) const { return entries_.count(name) > 0; }
    ZipEntry entry(const std::string& name) const;  // throws if absent
    const std::map<std::string, ZipEntry>& entries() const { return entries_; }

    // True if the bytes start like a ZIP local file header.
    static bool looksLikeZip(const std::uint8_t* data, std::size_t size);

private:
    std::shared_ptr<const MappedFile> file_;
    std::map<std::string, ZipEntry> entries_;
};

}  // namespace samtok::checkpoint
