#include "checkpoint/ZipArchive.h"

#include "checkpoint/CheckpointError.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace samtok::checkpoint {
namespace {

std::uint16_t u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t u64(const std::uint8_t* p) {
    return u32(p) | (static_cast<std::uint64_t>(u32(p + 4)) << 32);
}

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDir = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64EndOfCentralDir = 0x06064b50;

}  // namespace

MappedFile::MappedFile(const std::string& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw CheckpointError("'" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw CheckpointError("'" + path + "': not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) {
        ::close(fd);
        throw CheckpointError("'" + path + "': empty file");
    }
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) throw CheckpointError("'" + path + "': cannot map: " + std::strerror(errno));
    data_ = static_cast<const std::uint8_t*>(p);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

bool ZipArchive::looksLikeZip(const std::uint8_t* data, std::size_t size) {
    return size >= 4 && u32(data) == kLocalHeader;
}

ZipArchive::ZipArchive(std::shared_ptr<const MappedFile> file) : file_(std::move(file)) {
    const std::uint8_t* base = file_->data();
    const std::size_t n = file_->size();
    const std::string where = "'" + file_->path() + "'";
    auto fail = [&](const std::string& what) -> void { throw CheckpointError(where + ": " + what); };

    // End of central directory: the last 22+ bytes, before an optional comment.
    if (n < 22) fail("too short to be a ZIP archive (truncated?)");
    std::size_t eocd = std::string::npos;
    const std::size_t lowest = n > 22 + 65535 ? n - 22 - 65535 : 0;
    for (std::size_t i = n - 22 + 1; i-- > lowest;) {
        if (u32(base + i) == kEndOfCentralDir) {
            eocd = i;
            break;
        }
    }
    if (eocd == std::string::npos) fail("no ZIP end-of-directory record: the file is truncated or not a checkpoint");
    std::uint64_t count = u16(base + eocd + 10);
    std::uint64_t cdSize = u32(base + eocd + 12);
    std::uint64_t cdOffset = u32(base + eocd + 16);
    if (count == 0xFFFF || cdSize == 0xFFFFFFFFu || cdOffset == 0xFFFFFFFFu) {
        if (eocd < 20 || u32(base + eocd - 20) != kZip64Locator) fail("ZIP64 locator missing");
        const std::uint64_t z64 = u64(base + eocd - 20 + 8);
        if (z64 + 56 > n || u32(base + z64) != kZip64EndOfCentralDir) fail("ZIP64 directory record out of range");
        count = u64(base + z64 + 32);
        cdSize = u64(base + z64 + 40);
        cdOffset = u64(base + z64 + 48);
    }
    if (cdOffset > n || cdSize > n - cdOffset) fail("ZIP directory lies past the end of the file (truncated?)");
    if (count > cdSize / 46) fail("ZIP directory claims more entries than it can hold");

    std::size_t p = cdOffset;
    const std::size_t cdEnd = cdOffset + cdSize;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (p + 46 > cdEnd || u32(base + p) != kCentralHeader) fail("damaged ZIP directory");
        const std::uint16_t method = u16(base + p + 10);
        std::uint64_t csize = u32(base + p + 20);
        std::uint64_t usize = u32(base + p + 24);
        const std::size_t nameLen = u16(base + p + 28), extraLen = u16(base + p + 30), commentLen = u16(base + p + 32);
        std::uint64_t local = u32(base + p + 42);
        if (p + 46 + nameLen + extraLen + commentLen > cdEnd) fail("damaged ZIP directory entry");
        const std::string name(reinterpret_cast<const char*>(base + p + 46), nameLen);
        // ZIP64 extra field: the 64-bit values of the fields that read 0xFFFFFFFF, in order.
        const std::uint8_t* extra = base + p + 46 + nameLen;
        for (std::size_t e = 0; e + 4 <= extraLen;) {
            const std::uint16_t id = u16(extra + e), len = u16(extra + e + 2);
            if (e + 4 + len > extraLen) break;
            if (id == 0x0001) {
                std::size_t q = e + 4;
                auto take = [&](std::uint64_t& field) {
                    if (field == 0xFFFFFFFFu && q + 8 <= e + 4 + len) {
                        field = u64(extra + q);
                        q += 8;
                    }
                };
                take(usize);
                take(csize);
                take(local);
            }
            e += 4 + len;
        }
        if (method != 0)
            fail("entry '" + name + "' is compressed (method " + std::to_string(method) +
                 "); PyTorch checkpoints store entries uncompressed, so this file is refused");
        if (csize != usize) fail("entry '" + name + "' has inconsistent sizes");
        if (local + 30 > n || u32(base + local) != kLocalHeader) fail("entry '" + name + "' points outside the file");
        const std::size_t dataStart = local + 30 + u16(base + local + 26) + u16(base + local + 28);
        if (dataStart > n || usize > n - dataStart)
            fail("entry '" + name + "' runs past the end of the file (truncated download?)");
        entries_[name] = {base + dataStart, static_cast<std::size_t>(usize)};
        p += 46 + nameLen + extraLen + commentLen;
    }
}

ZipEntry ZipArchive::entry(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw CheckpointError("'" + file_->path() + "': missing entry '" + name + "'");
    return it->second;
}

}  // namespace samtok::checkpoint
