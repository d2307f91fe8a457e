#include "cli/Progress.h"

#include <cstdio>
#include <unistd.h>

namespace samtok::cli {

Progress::Progress(std::string label)
    : label_(std::move(label)),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_),
      tty_(::isatty(STDERR_FILENO) != 0) {}

void Progress::update(std::size_t done, std::size_t total) {
    done_ = done;
    total_ = total;
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - lastDraw_ < std::chrono::milliseconds(100)) return;
    lastDraw_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    const int width = 30;
    const int filled = total ? static_cast<int>(width * done / total) : width;
    std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu  %.1f/s  ETA %.0fs ", label_.c_str(), filled,
                 "##############################", width - filled, "", done, total, rate, eta);
    std::fflush(stderr);
}

void Progress::finish() {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (tty_) std::fputc('\n', stderr);
    std::fprintf(stderr, "%s: %zu/%zu in %.2f s\n", label_.c_str(), done_, total_, secs);
}

}  // namespace samtok::cli
