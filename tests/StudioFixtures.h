#pragma once
// What the studio tests share: waiting for the embedded model and for a
// tokenize, and a window on the sample project in a fresh folder.
#include "ImageView.h"
#include "InferenceService.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "TestPaths.h"
#include "store/ProjectStore.h"

#include <QSignalSpy>
#include <gtest/gtest.h>

#include <memory>

namespace samtok::test {

// Exceptions a test makes escape an event handler on purpose (main() counts the others as failures).
extern int expectedHandlerErrors;

// Where a point of the image is on the canvas's viewport.
inline QPoint onScreen(ui::ImageView* view, QPointF imagePoint) {
    return view->mapFromScene(imagePoint);
}

inline std::int64_t countWithSource(const ProjectStore& store, AnnotationSource source) {
    std::int64_t n = 0;
    for (const auto& im : store.images())
        for (const auto& a : store.annotationsForImage(im.id)) n += a.source == source;
    return n;
}

// The embedded model is loaded (it may have been before the call: no race with a late spy).
inline bool modelLoaded(ui::MainWindow& window) {
    if (window.inference()->hasModel()) return true;
    QSignalSpy ready(window.inference(), &ui::InferenceService::modelReady);
    return ready.wait(60000) || window.inference()->hasModel();
}

// Model ▸ Tokenize Project, waited for.
inline bool tokenizedAll(ui::MainWindow& window) {
    QSignalSpy done(&window, &ui::MainWindow::tokenizingFinished);
    window.tokenizeProject();
    return done.wait(120000);
}

// Most tests start from the sample project in a fresh folder, shown in a
// window once the embedded model is loaded: this fixture does that.
class StudioSample : public ::testing::Test {
protected:
    bool openSample(QSize size = {}) {
        const QString error = session.openSample(QString::fromStdString(dir.path().string()));
        if (!error.isEmpty()) {
            ADD_FAILURE() << "the sample project did not open: " << error.toStdString();
            return false;
        }
        window_ = std::make_unique<ui::MainWindow>(&session);
        if (size.isValid()) window_->resize(size);
        window_->show();
        if (modelLoaded(*window_)) return true;
        ADD_FAILURE() << "the embedded model did not load";
        return false;
    }

    TempDir dir;
    ui::ProjectSession session;
    std::unique_ptr<ui::MainWindow> window_;
};

}  // namespace samtok::test
