#include "StudioApplication.h"

#include <QMessageBox>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <exception>

namespace samtok::ui {

bool StudioApplication::notify(QObject* receiver, QEvent* event) {
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception& e) {
        report(QString::fromStdString(e.what()));
    } catch (...) {
        report(tr("an unknown error"));
    }
    return false;
}

void StudioApplication::report(const QString& what) {
    if (QThread::currentThread() != thread()) {  // the inference worker's thread: report from the GUI's
        QMetaObject::invokeMethod(
            this, [this, what] { report(what); }, Qt::QueuedConnection);
        return;
    }
    lastError_ = what;
    ++errorCount_;
    std::fprintf(stderr, "samtok-studio: %s\n", what.toLocal8Bit().constData());
    if (reporting_) return;
    reporting_ = true;
    // Later, from the event loop: not inside the handler that failed. Non-modal, so no nested loop.
    QTimer::singleShot(0, this, [this, what] {
        auto* box = new QMessageBox(QMessageBox::Warning, tr("SAMTok Studio"),
                                    tr("That action failed: %1\n\nEverything saved before it is intact.").arg(what),
                                    QMessageBox::Ok, activeWindow());
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setObjectName(QStringLiteral("unexpectedError"));
        connect(box, &QObject::destroyed, this, [this] { reporting_ = false; });
        box->show();
    });
}

}  // namespace samtok::ui
