#pragma once
// Downloading one large file over HTTP(S) with libcurl, as users need it for checkpoints of gigabytes:
//   - bytes go to DEST.part; an interrupted download keeps it and the next one resumes with a Range request
//     (a server that ignores the range sends the whole file, which then starts over);
//   - the complete .part is checked by `verify` and only then renamed to DEST: DEST is never half-written, and a
//     file that fails the check is removed;
//   - what goes wrong is a DownloadError naming the URL and the problem: an HTTP error status, a web page where a
//     file was expected, a transfer cut short, no network (with where to put a file downloaded by hand).
#include "util/Error.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace samtok::net {

class DownloadError : public UserError {
public:
    using UserError::UserError;
};

struct DownloadOptions {
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // total 0: unknown
    const std::atomic<bool>* cancel = nullptr;                              // set: stop, keep the .part
    long connectTimeoutSeconds = 20;
    long stallSeconds = 60;  // a transfer slower than 1 byte/s for this long is cut (and resumable)
};

struct DownloadResult {
    std::uint64_t bytes = 0;        // of the finished file
    std::uint64_t resumedFrom = 0;  // bytes a previous attempt had already fetched
};

// Throws DownloadError; whatever `verify` throws is passed on after the .part is removed.
DownloadResult downloadFile(const std::string& url, const std::string& dest,
                            const std::function<void(const std::string& completePart)>& verify,
                            const DownloadOptions& options = {});

}  // namespace samtok::net
