#pragma once
// Measures how long the UI thread's event loop goes without turning: a timer
// that should fire every few milliseconds records how late it fires.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace samtok::ui {

class StallWatchdog : public QObject {
    Q_OBJECT
public:
    explicit StallWatchdog(QObject* parent = nullptr);
    void start();
    void stop();
    double longestStallMs() const { return longest_; }
    void reset() { longest_ = 0; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0;
    double longest_ = 0;
};

}  // namespace samtok::ui
