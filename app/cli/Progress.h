#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace samtok::cli {

// A one-line progress bar on stderr with rate and ETA; silent when stderr is
// not a terminal except for a final summary line.
class Progress {
public:
    explicit Progress(std::string label);
    void update(std::size_t done, std::size_t total);
    void finish();

private:
    std::string label_;
    std::chrono::steady_clock::time_point start_, lastDraw_;
    bool tty_;
    std::size_t done_ = 0, total_ = 0;
};

}  // namespace samtok::cli
