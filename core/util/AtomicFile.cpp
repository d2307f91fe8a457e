#include "util/AtomicFile.h"

#include "util/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace samtok {

void writeFileAtomic(const std::string& path, std::string_view content) {
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw UserError("cannot write '" + path + "': " + std::strerror(errno));
    const bool wrote = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    const int writeErrno = errno;
    const bool flushed = std::fflush(f) == 0;
    const int flushErrno = errno;
    const bool closed = std::fclose(f) == 0;
    if (!wrote || !flushed || !closed) {
        std::remove(tmp.c_str());
        throw UserError("cannot write '" + path + "': " + std::strerror(!wrote ? writeErrno : flushErrno) +
                        " (the previous file, if any, is unchanged)");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::remove(tmp.c_str());
        throw UserError("cannot replace '" + path + "': " + std::strerror(e));
    }
}

}  // namespace samtok
