#pragma once
// The studio's QApplication, with the last line of defence: an exception that
// escapes an event handler would end the process (Qt cannot unwind through its
// event loop). Every user action is one transaction, so what was saved is
// intact: the error is reported (stderr and a non-modal dialog) and the
// studio goes on, as far as Qt's own state allows (an exception unwinding
// through Qt's code may skip its cleanup: this is a net, not a design).
#include <QApplication>
#include <QString>

namespace samtok::ui {

class StudioApplication : public QApplication {
    Q_OBJECT
public:
    StudioApplication(int& argc, char** argv) : QApplication(argc, argv) {}
    bool notify(QObject* receiver, QEvent* event) override;

    // The errors caught so far and the last one, for tests and diagnostics.
    int errorCount() const { return errorCount_; }
    const QString& lastError() const { return lastError_; }

private:
    void report(const QString& what);
    QString lastError_;
    int errorCount_ = 0;
    bool reporting_ = false;  // one dialog at a time; the rest go to stderr
};

}  // namespace samtok::ui
