#include "AnnotateController.h"

#include "MaskOverlay.h"
#include "ProjectSession.h"
#include "mask/CocoRle.h"
#include "mask/MaskEdit.h"

#include <QTimer>

#include <algorithm>

namespace samtok::ui {

AnnotateController::AnnotateController(ProjectSession* session, InferenceService* inference, QObject* parent)
    : QObject(parent), session_(session), inference_(inference) {
    connect(inference_, &InferenceService::promptFinished, this, &AnnotateController::onPrompt);
    connect(session_, &ProjectSession::projectChanged, this, [this] { setImage(0); });
}

void AnnotateController::setImage(RowId imageId) {
    image_ = imageId;
    imagePath_.clear();
    imageKey_.clear();
    width_ = height_ = 0;
    if (imageId)
        if (const auto rec = session_->image(imageId)) {
            imagePath_ = rec->file;
            imageKey_ = rec->checksum;
            width_ = rec->width;
            height_ = rec->height;
        }
    selected_.reset();
    regionsChanged();
    cancel();
    emit selectionChanged();
}

void AnnotateController::addPoint(QPointF at, bool positive) {
    if (!image_) return;
    points_.push_back({at, positive});
    request();
}

void AnnotateController::setBox(QRectF box) {
    if (!image_) return;
    box_ = box;
    request();
}

void AnnotateController::request() {
    emit markersChanged(points_, box_);
    PromptRequest r;
    r.id = nextRequest_++;
    r.imageId = image_;
    r.imagePath = imagePath_;
    r.imageKey = imageKey_;
    for (const auto& p : points_)
        r.points.push_back({static_cast<float>(p.at.x()), static_cast<float>(p.at.y()), p.positive});
    if (!box_.isNull())
        r.box = std::array<float, 4>{static_cast<float>(box_.left()), static_cast<float>(box_.top()),
                                     static_cast<float>(box_.right()), static_cast<float>(box_.bottom())};
    // A correcting click refines the candidate it corrects.
    if (hasCandidate() && points_.size() > 1 && static_cast<std::size_t>(index_) < result_->lowRes.size())
        r.previousLowRes = result_->lowRes[static_cast<std::size_t>(index_)];
    emit busyChanged(true);
    asked_.start();
    inference_->segment(r);
}

void AnnotateController::onPrompt(const PromptResultPtr& r) {
    if (r->imageId != image_ || (points_.isEmpty() && box_.isNull())) return;  // the prompt was cancelled
    emit busyChanged(false);
    if (!r->error.isEmpty()) {
        emit message(tr("The click tool failed: %1").arg(r->error));
        return;
    }
    result_ = r;
    index_ = 0;
    waitedMs_ = asked_.isValid() ? static_cast<double>(asked_.elapsed()) : r->millis;
    showCandidate();
}

void AnnotateController::showCandidate() {
    if (!hasCandidate()) {
        emit candidateChanged({}, {});
        return;
    }
    const auto i = static_cast<std::size_t>(index_);
    const Mask& m = result_->masks[i];
    // What to do next comes first: a narrow status bar cuts the end of the line, where the timings are.
    QString info = tr("GrabCut (the loaded model takes no clicks)");
    if (result_->method != QLatin1String("GrabCut"))
        info = tr("Candidate %1/%2 (predicted IoU %3)")
                   .arg(index_ + 1)
                   .arg(result_->masks.size())
                   .arg(result_->scores[i], 0, 'f', 2);
    info += tr(" · Enter accepts, Tab next, Esc cancels");
    // The whole wait since the click, embedding included; the network's own time where the two differ.
    const double waited = std::max(waitedMs_, result_->millis);
    info +=
        waited > result_->millis + 100
            ? tr(" · %1 ms from the click (%2 ms for the mask)").arg(waited, 0, 'f', 0).arg(result_->millis, 0, 'f', 0)
            : tr(" · %1 ms").arg(waited, 0, 'f', 0);
    if (m.area() == 0) info = tr("No region found here: click elsewhere or draw a box");
    emit candidateChanged(renderCandidate(m), info);
}

void AnnotateController::cycle() {
    if (candidateCount() < 2) return;
    index_ = (index_ + 1) % candidateCount();
    showCandidate();
}

void AnnotateController::accept() {
    if (!hasCandidate()) return;
    const Mask& m = result_->masks[static_cast<std::size_t>(index_)];
    if (m.area() == 0) return;
    const std::optional<RowId> created = addRegion(m, AnnotationSource::Click, tr("Add region"));
    cancel();
    if (created) select(*created);  // its class and caption can be set at once
}

std::optional<RowId> AnnotateController::addRegion(const Mask& mask, AnnotationSource source, const QString& label,
                                                   std::vector<std::array<double, 2>> polygon) {
    Annotation a;
    a.polygon = std::move(polygon);
    a.imageId = image_;
    a.classId = class_;
    a.mask = rle::encode(mask);
    a.source = source;
    const std::vector<RowId> created = session_->apply(edit::createRegion(label.toStdString(), a));
    tokenizeSoon();
    return created.empty() ? std::nullopt : std::optional<RowId>(created.front());
}

void AnnotateController::acceptIntoSelected(bool subtract) {
    if (!hasCandidate()) return;
    if (!selected_) {
        if (!subtract)
            accept();
        else
            emit message(tr("Select the region to cut the candidate from first"));
        return;
    }
    const Mask candidate = result_->masks[static_cast<std::size_t>(index_)];
    editSelectedMask(subtract ? tr("Cut candidate") : tr("Add candidate"), [&](Mask& m) {
        for (std::size_t i = 0; i < m.size(); ++i)
            if (candidate.data()[i]) m.data()[i] = subtract ? 0 : 1;
    });
    cancel();
}

void AnnotateController::cancel() {
    points_.clear();
    box_ = {};
    result_.reset();
    index_ = 0;
    emit markersChanged({}, {});
    emit candidateChanged({}, {});
    emit busyChanged(false);
}

void AnnotateController::tokenizeSoon() {
    if (inference_->canTokenize() && image_) inference_->tokenizeImage(session_->projectPath(), image_);
}

void AnnotateController::applyStroke(QVector<QPointF> path, double radius, bool erase) {
    if (!image_ || path.isEmpty()) return;
    std::vector<Point> pts;
    for (const QPointF& p : path) pts.push_back({p.x(), p.y()});
    if (selected_) {
        editSelectedMask(erase ? tr("Erase") : tr("Brush stroke"),
                         [&](Mask& m) { paintStroke(m, pts, radius, !erase); });
        return;
    }
    if (erase) {
        emit message(tr("Select a region to erase from (click it with the Navigate tool)"));
        return;
    }
    Mask m(height_, width_);
    paintStroke(m, pts, radius, true);
    addRegion(m, AnnotationSource::Brush, tr("Brush stroke"));
}

void AnnotateController::applyPolygon(QPolygonF polygon) {
    if (!image_ || polygon.size() < 3) return;
    Ring ring;
    for (const QPointF& p : polygon) ring.push_back({p.x(), p.y()});
    if (selected_) {
        editSelectedMask(subtract_ ? tr("Cut polygon") : tr("Add polygon"),
                         [&](Mask& m) { paintPolygon(m, ring, !subtract_); });
        return;
    }
    if (subtract_) {
        emit message(tr("Select a region to cut a hole into"));
        return;
    }
    Mask m(height_, width_);
    paintPolygon(m, ring, true);
    std::vector<std::array<double, 2>> vertices;
    for (const QPointF& p : polygon) vertices.push_back({p.x(), p.y()});
    addRegion(m, AnnotationSource::Polygon, tr("Polygon"), std::move(vertices));
}

void AnnotateController::editSelectedMask(const QString& label, const std::function<void(Mask&)>& change) {
    auto a = session_->annotation(*selected_);
    if (!a) {
        select(std::nullopt);
        return;
    }
    Mask m = rle::decode(a->mask);
    change(m);
    if (m.area() == 0) {
        session_->deleteRegion(label, a->id);
        select(std::nullopt);
        return;
    }
    a->mask = rle::encode(m);
    a->polygon.clear();  // no longer the shape it was filled from
    session_->updateRegion(label, *a);
    tokenizeSoon();
}

void AnnotateController::movePolygon(QPolygonF polygon) {
    if (!selected_ || polygon.size() < 3) return;
    auto a = session_->annotation(*selected_);
    if (!a || a->polygon.empty()) return;
    Ring ring;
    for (const QPointF& p : polygon) ring.push_back({p.x(), p.y()});
    Mask m(a->mask.height, a->mask.width);
    paintPolygon(m, ring, true);
    if (m.area() == 0) {
        emit message(tr("The moved polygon covers no pixel: nothing changed"));
        emit selectionChanged();  // the handles go back where they were
        return;
    }
    a->mask = rle::encode(m);
    a->polygon.clear();
    for (const QPointF& p : polygon) a->polygon.push_back({p.x(), p.y()});
    session_->updateRegion(tr("Move polygon vertex"), *a);
    tokenizeSoon();
}

void AnnotateController::select(std::optional<RowId> annotationId) {
    selected_ = annotationId;
    emit selectionChanged();
}

RowId AnnotateController::regionAt(QPointF at) {
    if (!session_->isOpen() || !image_) return 0;
    const int x = static_cast<int>(at.x()), y = static_cast<int>(at.y());
    if (x < 0 || y < 0 || x >= width_ || y >= height_) return 0;
    if (regionMap_.empty()) {
        regionMap_.assign(static_cast<std::size_t>(width_) * height_, 0);
        // Damaged regions are not drawn, so not pickable; the window names them.
        auto regions = session_->readableRegions(image_);
        // Largest first, so that the smallest region under a pixel is the one kept: nested regions stay reachable.
        std::sort(regions.begin(), regions.end(),
                  [](const Annotation& a, const Annotation& b) { return a.area > b.area; });
        for (const auto& r : regions) {
            if (r.mask.width != width_ || r.mask.height != height_) continue;
            const Mask m = rle::decode(r.mask);
            for (std::size_t i = 0; i < m.size(); ++i)
                if (m.data()[i]) regionMap_[i] = r.id;
        }
    }
    return regionMap_[static_cast<std::size_t>(y) * width_ + x];
}

void AnnotateController::regionsChanged() {
    regionMap_.clear();
    hovered_ = 0;
    emit hoverChanged({});
}

void AnnotateController::hoverAt(QPointF at) {
    const RowId id = regionAt(at);
    if (id == hovered_) return;
    hovered_ = id;
    const auto a = id ? session_->annotation(id) : std::nullopt;
    emit hoverChanged(a ? renderHover(rle::decode(a->mask)) : QImage());
}

void AnnotateController::pickAt(QPointF at) {
    const RowId id = regionAt(at);
    select(id ? std::optional<RowId>(id) : std::nullopt);
}

void AnnotateController::deleteSelected() {
    if (!selected_ || !session_->annotation(*selected_)) return;
    session_->deleteRegion(tr("Delete region"), *selected_);
    select(std::nullopt);
}

void AnnotateController::setClassOfSelected(std::optional<RowId> classId) {
    if (!selected_) return;
    auto a = session_->annotation(*selected_);
    if (!a || a->classId == classId) return;
    a->classId = classId;
    session_->updateRegion(tr("Change class"), *a);
}

void AnnotateController::describe(RowId id, const QString& caption, const QStringList& expressions,
                                  ReviewState review) {
    const auto a = session_->annotation(id);
    if (!a) return;
    std::vector<std::string> texts;
    for (const QString& e : expressions) texts.push_back(e.toStdString());
    if (a->caption == caption.toStdString() && a->review == review && session_->referringExpressions(id) == texts)
        return;  // nothing changed: no empty step in the history
    session_->describeRegion(tr("Edit region text"), id, caption, texts, review);
}

void AnnotateController::fillHolesOfSelected() {
    if (selected_) editSelectedMask(tr("Fill holes"), [](Mask& m) { m = fillHoles(m); });
}

void AnnotateController::keepLargestPartOfSelected() {
    if (selected_) editSelectedMask(tr("Keep largest part"), [](Mask& m) { m = largestPart(m); });
}

}  // namespace samtok::ui
