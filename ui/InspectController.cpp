#include "InspectController.h"

#include "AnalyticsPanel.h"
#include "AnnotateController.h"
#include "ImageView.h"
#include "InferenceService.h"
#include "MaskOverlay.h"
#include "ProjectSession.h"
#include "TokenExplorer.h"
#include "edit/RegionEdit.h"
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"

#include <QApplication>
#include <QDateTime>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>

#include <filesystem>

namespace samtok::ui {

InspectController::InspectController(ProjectSession* session, InferenceService* inference, ImageView* view,
                                     AnnotateController* annotate, TokenExplorer* explorer, AnalyticsPanel* analytics,
                                     QObject* parent)
    : QObject(parent),
      session_(session),
      inference_(inference),
      view_(view),
      annotate_(annotate),
      explorer_(explorer),
      analytics_(analytics),
      refreshTimer_(new QTimer(this)) {
    refreshTimer_->setSingleShot(true);
    refreshTimer_->setInterval(300);  // a project tokenizing reports every image: redraw a few times a second at most
    connect(refreshTimer_, &QTimer::timeout, this, &InspectController::refreshNow);
    connect(explorer_, &TokenExplorer::pairChanged, this, [this] {
        pairChosen_ = true;  // from now on its mask is drawn on the image
        requestDecode();
    });
    connect(explorer_, &TokenExplorer::keepRequested, this, &InspectController::keep);
    connect(explorer_, &TokenExplorer::sheetRequested, this, &InspectController::startSheet);
    connect(explorer_, &TokenExplorer::sheetCancelRequested, inference_, &InferenceService::cancelSheet);
    connect(inference_, &InferenceService::codesDecoded, this, &InspectController::onCodesDecoded);
    connect(inference_, &InferenceService::sheetChunk, this, &InspectController::onSheetChunk);
    connect(inference_, &InferenceService::modelReady, this, [this] {
        scheduleRefresh();
        requestDecode();
    });
    connect(analytics_, &AnalyticsPanel::regionActivated, this, &InspectController::jumpRequested);
    connect(analytics_, &AnalyticsPanel::pairActivated, explorer_, &TokenExplorer::setPair);
}

void InspectController::setImage(RowId imageId, const QImage& image) {
    if (imageId == 0) pairChosen_ = false;  // another project: nothing is drawn until a pair is chosen
    if (imageId == imageId_) return;
    imageId_ = imageId;
    decoded_.reset();
    decodedPair_ = {-1, -1};
    candidateShown_ = false;
    if (explorer_->sheetRunning()) inference_->cancelSheet();
    explorer_->setSheetBase(image);
    requestDecode();
}

void InspectController::setExplorerVisible(bool visible) {
    explorerVisible_ = visible;
    if (visible) {
        if (dirty_) refreshNow();
        requestDecode();
    } else {
        showCandidate(false);
    }
}

void InspectController::setAnalyticsVisible(bool visible) {
    analyticsVisible_ = visible;
    if (visible && dirty_) refreshNow();
}

void InspectController::setFlagThreshold(double threshold) {
    threshold_ = threshold;
    scheduleRefresh();
}

void InspectController::scheduleRefresh() {
    dirty_ = true;
    if (explorerVisible_ || analyticsVisible_) refreshTimer_->start();
}

void InspectController::refreshNow() {
    refreshTimer_->stop();
    dirty_ = false;
    const auto tokenizer = session_->activeTokenizerId();
    if (!tokenizer) {
        ++refreshGeneration_;  // a query still running answers for a state that is gone
        analytics_->clear(!session_->isOpen() ? tr("Open a project to see how well its tokens rebuild its regions.")
                          : inference_->hasModel()
                              ? tr("No region has tokens of %1 yet: run Model ▸ Tokenize Project (Ctrl+T).")
                                    .arg(inference_->model().name)
                              : tr("Load a model to see its tokens."));
        explorer_->setUsage({});
        emit analyticsRefreshed();
        return;
    }
    if (computing_) {  // one query at a time: the newest state is read when this one is back
        refreshAgain_ = true;
        return;
    }
    // The query reads every token row (about 0.15 s for 100,000 regions): off the UI thread, on a
    // connection of its own, so that a project being tokenized stays fluid.
    computing_ = true;
    const quint64 generation = ++refreshGeneration_;
    const std::string path = session_->projectPath().toStdString();
    const StatsTokens t{*tokenizer, session_->activeCodebookSize(), session_->activeModel()->name};
    QPointer<InspectController> self(this);
    QThreadPool::globalInstance()->start([self, generation, path, t] {
        auto result = std::make_shared<StatsResult>();
        try {
            const ProjectStore store = ProjectStore::open(path);
            result->stats = analytics::collectTokenStats(store, t.tokenizerId, t.codebookSize);
            for (const auto& r : analytics::lowestIou(result->stats.regions, AnalyticsPanel::kWorstShown))
                if (!result->imageNames.count(r.imageId))
                    if (const auto rec = store.image(r.imageId))
                        result->imageNames[r.imageId] =
                            QString::fromStdString(std::filesystem::path(rec->path).filename().string());
        } catch (const std::exception& e) {
            result->error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, t, result] {
                if (self) self->showStats(generation, t, std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

void InspectController::showStats(quint64 generation, const StatsTokens& tokens, StatsResult result) {
    computing_ = false;
    if (refreshAgain_) {
        refreshAgain_ = false;
        refreshNow();
        return;
    }
    if (generation != refreshGeneration_ || !session_->isOpen()) return;  // the project or model changed meanwhile
    if (!result.error.isEmpty()) {
        analytics_->clear(tr("Cannot read the project's tokens: %1").arg(result.error));
        emit analyticsRefreshed();
        return;
    }
    std::map<std::optional<RowId>, ClassStyle> classes;
    for (const auto& r : result.stats.regions)
        if (!classes.count(r.classId))
            classes[r.classId] = {session_->className(r.classId), session_->classColor(r.classId)};
    if (explorer_->codebookSize() != tokens.codebookSize) explorer_->setCodebookSize(tokens.codebookSize);
    explorer_->setUsage(result.stats.pairUsage);
    analytics_->setStats(std::move(result.stats), std::move(classes), tokens.name, threshold_,
                         std::move(result.imageNames));
    emit analyticsRefreshed();
}

void InspectController::requestDecode() {
    if (!explorerVisible_) return;
    if (!session_->isOpen() || !imageId_) {
        explorer_->setAvailable(false, tr("Open an image to decode codes on it."));
        return;
    }
    if (!inference_->canTokenize()) {
        explorer_->setAvailable(false, tr("Load a tokenizer (Model menu) to decode codes."));
        return;
    }
    explorer_->setAvailable(true, {});
    const TokenPair pair = explorer_->pair();
    if (decoded_ && decodedPair_ == pair && decodedImage_ == imageId_) {
        showCandidate(true);
        return;
    }
    if (inFlight_) return;  // the answer in flight asks again for the newest pair
    const auto rec = session_->image(imageId_);
    if (!rec) return;
    inFlight_ = true;
    requestedPair_ = pair;
    decodeRequest_ = inference_->nextRequestId();
    decodeStartedMs_ = QDateTime::currentMSecsSinceEpoch();
    explorer_->setDecodePending(true);
    inference_->decodeCodes(decodeRequest_, imageId_, rec->file, rec->checksum, {pair});
}

void InspectController::onCodesDecoded(const CodesDecode& r) {
    if (r.id != decodeRequest_) return;
    inFlight_ = false;
    const double millis = static_cast<double>(QDateTime::currentMSecsSinceEpoch() - decodeStartedMs_);
    if (r.imageId == imageId_ && r.error.isEmpty() && !r.masks.empty()) {
        decoded_ = r.masks.front();
        decodedPair_ = requestedPair_;
        decodedImage_ = r.imageId;
    }
    const TokenPair wanted = explorer_->pair();
    if (r.imageId != imageId_ || (r.error.isEmpty() && wanted != requestedPair_)) {
        requestDecode();  // the user has moved on: decode what is asked now
        return;
    }
    explorer_->showDecoded(r.error.isEmpty() ? explorerMask() : nullptr,
                           r.predictedIou.empty() ? 0.f : r.predictedIou.front(), millis, r.error);
    showCandidate(r.error.isEmpty());
    emit explorerDecoded();
}

void InspectController::showCandidate(bool show) {
    if (show && pairChosen_ && explorerVisible_ && decoded_ && decodedImage_ == imageId_) {
        view_->setCandidate(renderCandidate(*decoded_));
        candidateShown_ = true;
    } else if (candidateShown_) {
        view_->setCandidate({});
        candidateShown_ = false;
    }
}

void InspectController::keep() {
    if (!decoded_ || decodedImage_ != imageId_ || decoded_->area() == 0 || !session_->isOpen()) return;
    Annotation a;
    a.imageId = imageId_;
    a.classId = annotate_->currentClass();
    a.mask = rle::encode(*decoded_);
    a.source = AnnotationSource::Import;
    session_->apply(
        edit::createRegion(tr("Keep decoded pair %1 · %2").arg(decodedPair_.c0).arg(decodedPair_.c1).toStdString(), a));
    showCandidate(false);
    if (inference_->hasModel()) inference_->tokenizeImage(session_->projectPath(), imageId_);
}

void InspectController::startSheet(int varyingLevel, int fixedCode) {
    if (!session_->isOpen() || !imageId_ || !inference_->hasModel()) return;
    const auto rec = session_->image(imageId_);
    if (!rec) return;
    std::vector<TokenPair> codes;
    for (int code = 0; code < explorer_->codebookSize(); ++code)
        codes.push_back(varyingLevel == 1 ? TokenPair{fixedCode, code} : TokenPair{code, fixedCode});
    sheetRequest_ = inference_->nextRequestId();
    explorer_->startSheet(static_cast<int>(codes.size()));
    inference_->decodeSheet(sheetRequest_, imageId_, rec->file, rec->checksum, codes, 96);
}

void InspectController::onSheetChunk(const SheetChunk& c) {
    if (c.id != sheetRequest_) return;
    explorer_->addSheetThumbnails(c.first, c.thumbnails, c.predictedIou);
    if (c.finished) {
        explorer_->finishSheet(c.cancelled, c.error);
        emit sheetFinished();
    }
}

}  // namespace samtok::ui
