#include "net/Download.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <curl/curl.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace samtok::net {
namespace {

void initCurlOnce() {
    static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    if (!done) throw DownloadError("cannot start libcurl");
}

std::string megabytes(std::uint64_t bytes) {
    char s[32];
    std::snprintf(s, sizeof s, "%.1f MB", bytes / 1e6);
    return s;
}

// One attempt's state, shared with libcurl's callbacks.
struct Transfer {
    CURL* curl = nullptr;
    std::FILE* file = nullptr;
    std::string part;
    std::uint64_t offset = 0;    // bytes of .part kept from before
    std::uint64_t received = 0;  // this attempt
    bool checked = false;        // the response's status and type were looked at
    std::string problem;         // why a callback stopped the transfer
    const DownloadOptions* options = nullptr;
    long status = 0;      // of the final response
    bool html = false;    // it was a web page
    std::string etag;     // the file's version, to resume only the same file (If-Range)
    std::string ifRange;  // sent when resuming

    // On the first bytes of the final response: an error status or a web page. (A server that ignores the range is
    // caught by libcurl as CURLE_RANGE_ERROR before any byte arrives.)
    bool checkResponse() {
        checked = true;
        const char* type = readStatus();
        if (status == 416 && offset > 0) return true;  // nothing after the kept bytes: the .part is whole
        if (status >= 400) {
            problem = "the server answered HTTP " + std::to_string(status);
            return false;
        }
        if (html) {
            problem =
                "the server sent a web page (" + std::string(type) + "), not the file: a login, error or consent page?";
            return false;
        }
        return true;
    }

    const char* readStatus() {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        char* type = nullptr;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
        html = type && std::strncmp(type, "text/html", 9) == 0;
        return type;
    }
};

// The final response's ETag (a redirect's own headers come first and are replaced).
std::size_t onHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) t->etag.clear();
    if (line.size() > 5 && strncasecmp(line.c_str(), "etag:", 5) == 0) {
        line = line.substr(5);
        const auto a = line.find_first_not_of(" \t"), b = line.find_last_not_of(" \t\r\n");
        t->etag = a == std::string::npos ? "" : line.substr(a, b - a + 1);
    }
    return size * n;
}

std::size_t onBody(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    if (!t->checked && !t->checkResponse()) return 0;
    const std::size_t bytes = size * n;
    if (std::fwrite(data, 1, bytes, t->file) != bytes) {
        t->problem = "cannot write '" + t->part + "': " + std::strerror(errno);
        return 0;
    }
    t->received += bytes;
    return bytes;
}

int onProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->options->cancel && t->options->cancel->load()) {
        t->problem = "cancelled";
        return 1;
    }
    if (t->options->progress && t->checked)
        t->options->progress(t->offset + static_cast<std::uint64_t>(now),
                             total > 0 ? t->offset + static_cast<std::uint64_t>(total) : 0);
    return 0;
}

std::uint64_t sizeOf(const std::string& path) {
    std::error_code ec;
    const auto s = fs::file_size(path, ec);
    return ec ? 0 : s;
}

// Runs one transfer into `t.file`; returns curl's result.
CURLcode perform(Transfer& t, const std::string& url) {
    t.curl = curl_easy_init();
    if (!t.curl) throw DownloadError("cannot start libcurl");
    curl_easy_setopt(t.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(t.curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "samtok-studio");
    curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, t.options->connectTimeoutSeconds);
    curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, t.options->stallSeconds);
    curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(t.curl, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(t.curl, CURLOPT_HEADERDATA, &t);
    curl_slist* headers = nullptr;
    if (t.offset > 0) {
        curl_easy_setopt(t.curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.offset));
        // Only the same file may be continued: a changed one comes whole (200) and starts over.
        if (!t.ifRange.empty()) headers = curl_slist_append(headers, ("If-Range: " + t.ifRange).c_str());
        curl_easy_setopt(t.curl, CURLOPT_HTTPHEADER, headers);
    }
    const CURLcode rc = curl_easy_perform(t.curl);
    if (rc == CURLE_OK && !t.checked) t.checkResponse();  // an empty body: look at the status all the same
    if (rc != CURLE_OK) t.readStatus();
    curl_slist_free_all(headers);
    curl_easy_cleanup(t.curl);
    t.curl = nullptr;
    return rc;
}

[[noreturn]] void fail(const Transfer& t, CURLcode rc, const std::string& url, const std::string& dest) {
    const std::uint64_t kept = sizeOf(t.part);
    const std::string resume = kept ? " (" + megabytes(kept) + " kept in '" + t.part + "': run again to resume)" : "";
    if (!t.problem.empty()) throw DownloadError("downloading " + url + ": " + t.problem + resume);
    switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
            throw DownloadError("cannot reach " + url + " (" + curl_easy_strerror(rc) +
                                "). Without a network, download that file by hand and put it at '" + dest + "'");
        case CURLE_PARTIAL_FILE:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            throw DownloadError("downloading " + url + ": the transfer stopped early (" + curl_easy_strerror(rc) + ")" +
                                resume);
        default:
            throw DownloadError("downloading " + url + ": " + curl_easy_strerror(rc) + resume);
    }
}

}  // namespace

DownloadResult downloadFile(const std::string& url, const std::string& dest,
                            const std::function<void(const std::string&)>& verify, const DownloadOptions& options) {
    initCurlOnce();
    std::error_code ec;
    fs::create_directories(fs::path(dest).parent_path(), ec);
    if (ec) throw DownloadError("cannot create the folder of '" + dest + "': " + ec.message());
    Transfer t;
    t.part = dest + ".part";
    t.options = &options;
    const std::string etagFile = t.part + ".etag";
    // One download per file: a second window or command would interleave its bytes with ours.
    const int fd = ::open(t.part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw DownloadError("cannot write '" + t.part + "': " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw DownloadError("'" + dest + "' is being downloaded by another window or command; wait for it");
    }
    t.file = ::fdopen(fd, "ab");
    t.offset = sizeOf(t.part);
    if (t.offset > 0) {
        std::ifstream in(etagFile);
        std::getline(in, t.ifRange);
    }
    DownloadResult result;
    result.resumedFrom = t.offset;
    CURLcode rc = perform(t, url);
    // The server would not continue (no ranges, or the file changed): a whole new file (2xx) starts over; anything
    // else (an error page, a busy server) leaves the kept bytes for the next try.
    if (rc == CURLE_RANGE_ERROR && t.offset > 0 && t.status >= 200 && t.status < 300 && !t.html) {
        if (::ftruncate(fileno(t.file), 0) != 0)
            throw DownloadError("cannot rewrite '" + t.part + "': " + std::strerror(errno));
        t.offset = result.resumedFrom = 0;
        t.checked = false;
        rc = perform(t, url);
    } else if (rc == CURLE_RANGE_ERROR) {
        t.problem = "the server answered HTTP " + std::to_string(t.status) + (t.html ? " with a web page" : "") +
                    " instead of the rest of the file";
    }
    if (t.offset == 0 && !t.etag.empty()) {
        std::ofstream out(etagFile);
        out << t.etag << "\n";
    }
    const bool flushed = std::fflush(t.file) == 0 && ::fsync(fileno(t.file)) == 0;
    std::fclose(t.file);
    if (rc != CURLE_OK || !t.problem.empty()) {
        if (sizeOf(t.part) == 0) fs::remove(t.part, ec);  // nothing to resume: leave no empty part behind
        fail(t, rc, url, dest);
    }
    if (!flushed) throw DownloadError("cannot write '" + t.part + "': " + std::strerror(errno));
    result.bytes = sizeOf(t.part);
    if (result.bytes == 0) {
        fs::remove(t.part, ec);
        throw DownloadError("downloading " + url + ": the server sent an empty file");
    }
    try {
        verify(t.part);
    } catch (...) {
        fs::remove(t.part, ec);  // not resumable: the bytes themselves are wrong
        fs::remove(etagFile, ec);
        throw;
    }
    fs::rename(t.part, dest, ec);
    if (ec) throw DownloadError("cannot move '" + t.part + "' to '" + dest + "': " + ec.message());
    fs::remove(etagFile, ec);
    return result;
}

}  // namespace samtok::net
