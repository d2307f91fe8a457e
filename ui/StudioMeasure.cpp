#include "StudioMeasure.h"

#include "AnnotateController.h"
#include "ImageListModel.h"
#include "InferenceService.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "StallWatchdog.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QTimer>

#include <algorithm>

namespace samtok::ui {

namespace {

// Runs the event loop until `signal` of `sender` fires or the timeout passes; true if it fired.
template <typename Sender, typename Signal>
bool waitFor(Sender* sender, Signal signal, int timeoutMs) {
    QEventLoop loop;
    bool fired = false;
    auto c = QObject::connect(sender, signal, &loop, [&] {
        fired = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(c);
    return fired;
}

QJsonObject stats(std::vector<double> v) {
    if (v.empty()) return {};
    std::sort(v.begin(), v.end());
    return {{"n", static_cast<int>(v.size())}, {"median_ms", v[v.size() / 2]}, {"max_ms", v.back()}};
}

// One click at the middle of a region, timed to its candidate.
double timedClick(MainWindow& window, const Annotation& a) {
    AnnotateController* c = window.annotate();
    c->cancel();
    QElapsedTimer t;
    t.start();
    c->addPoint(QPointF(a.bbox.x + a.bbox.width / 2.0, a.bbox.y + a.bbox.height / 2.0), true);
    while (!c->hasCandidate() && t.elapsed() < 60000) waitFor(c, &AnnotateController::candidateChanged, 60000);
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    c->cancel();
    return ms;
}

}  // namespace

QString measureStudio(MainWindow& window, ProjectSession& session) {
    if (!session.isOpen() || window.filterModel()->rowCount() < 2)
        return QStringLiteral("open a project with images first");
    if (!window.inference()->hasModel() && !waitFor(window.inference(), &InferenceService::modelReady, 120000))
        return QStringLiteral("the model did not load");
    StallWatchdog watchdog;
    watchdog.start();
    std::vector<double> nextImage, embed, clicks, clicksWhileTokenizing;
    auto onEmbedded = QObject::connect(window.inference(), &InferenceService::embeddingFinished,
                                       [&](RowId, double ms) { embed.push_back(ms); });
    const int images = std::min(8, window.filterModel()->rowCount());
    window.imageList()->setCurrentIndex(window.filterModel()->index(0, 0));
    for (int i = 0; i < images; ++i) {
        if (i > 0) {
            QElapsedTimer t;
            t.start();
            window.nextImage();  // shows the image and its regions before returning
            nextImage.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        }
        const auto regions = session.readableRegions(window.currentImageId());
        if (!regions.empty()) timedClick(window, regions.front());  // the first click may wait for the embedding
        for (std::size_t k = 0; k < regions.size() && k < 3; ++k) clicks.push_back(timedClick(window, regions[k]));
    }
    const double stallBrowsing = watchdog.longestStallMs();
    watchdog.reset();
    // Clicks while the whole project is tokenized on the same worker.
    bool finished = false;
    auto onDone = QObject::connect(&window, &MainWindow::tokenizingFinished, [&] { finished = true; });
    window.tokenizeProject();
    const auto regions = session.readableRegions(window.currentImageId());
    for (int k = 0; k < 10 && !finished && !regions.empty(); ++k)
        clicksWhileTokenizing.push_back(timedClick(window, regions[static_cast<std::size_t>(k) % regions.size()]));
    while (!finished) waitFor(&window, &MainWindow::tokenizingFinished, 600000);
    QObject::disconnect(onDone);
    QObject::disconnect(onEmbedded);
    const double stallTokenizing = watchdog.longestStallMs();
    watchdog.stop();
    const QJsonObject out{{"model", window.inference()->model().name},
                          {"next_image", stats(nextImage)},
                          {"embedding", stats(embed)},
                          {"click_to_candidate_cached", stats(clicks)},
                          {"click_to_candidate_while_tokenizing", stats(clicksWhileTokenizing)},
                          {"longest_ui_stall_ms_browsing_and_clicking", stallBrowsing},
                          {"longest_ui_stall_ms_while_tokenizing", stallTokenizing}};
    return QString::fromUtf8(QJsonDocument(out).toJson());
}

}  // namespace samtok::ui
