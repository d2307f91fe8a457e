#include "StallWatchdog.h"

#include <algorithm>

namespace samtok::ui {

namespace {
constexpr int kTickMs = 5;
}

StallWatchdog::StallWatchdog(QObject* parent) : QObject(parent) {
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(kTickMs);
    connect(&timer_, &QTimer::timeout, this, [this] {
        const qint64 now = clock_.nsecsElapsed();
        longest_ = std::max(longest_, static_cast<double>(now - last_) / 1e6 - kTickMs);
        last_ = now;
    });
}

void StallWatchdog::start() {
    clock_.start();
    last_ = 0;
    timer_.start();
}

void StallWatchdog::stop() {
    timer_.stop();
}

}  // namespace samtok::ui
