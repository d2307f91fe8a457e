#pragma once
// Work off the UI thread: `work` runs on Qt's global thread pool and its result
// is handed to `done` on the receiver's thread, unless the receiver is gone by
// then. For decoding very large images and drawing their masks.
#include <QMetaObject>
#include <QPointer>
#include <QThreadPool>

#include <utility>

namespace samtok::ui {

template <class Receiver, class Work, class Done>
void inBackground(Receiver* receiver, Work work, Done done) {
    QPointer<Receiver> self(receiver);
    QThreadPool::globalInstance()->start([self, work, done] {
        auto result = work();
        QMetaObject::invokeMethod(
            self.data(),
            [self, done, result] {
                if (self) done(result);
            },
            Qt::QueuedConnection);
    });
}

}  // namespace samtok::ui
