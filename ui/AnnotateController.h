#pragma once
// What the annotation tools mean: the click tool's prompt and candidates, and
// brush, eraser and polygon edits. Widgets send it gestures in image pixels; it
// asks the inference service for candidates, turns accepted ones and strokes
// into region edits on the session's undo stack, and asks for their tokens.
// Holds no widgets.
#include "ImageView.h"
#include "InferenceService.h"

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QPolygonF>

#include <array>
#include <optional>
#include <vector>

namespace samtok::ui {

class ProjectSession;

class AnnotateController : public QObject {
    Q_OBJECT
public:
    AnnotateController(ProjectSession* session, InferenceService* inference, QObject* parent = nullptr);

    void setImage(RowId imageId);  // clears the prompt and the selection
    RowId image() const { return image_; }
    void setCurrentClass(std::optional<RowId> classId) { class_ = classId; }
    std::optional<RowId> currentClass() const { return class_; }
    std::optional<RowId> selected() const { return selected_; }
    bool hasCandidate() const { return result_ && !result_->masks.empty(); }
    int candidateIndex() const { return index_; }
    int candidateCount() const { return result_ ? static_cast<int>(result_->masks.size()) : 0; }
    const PromptResult* lastResult() const { return result_.data(); }
    bool subtractPolygons() const { return subtract_; }

public slots:
    void addPoint(QPointF at, bool positive);
    void setBox(QRectF box);
    void cycle();
    void accept();
    // The candidate added to (or cut from) the selected region instead of becoming a new one.
    void acceptIntoSelected(bool subtract);
    void cancel();
    void applyStroke(QVector<QPointF> path, double radius, bool erase);
    void applyPolygon(QPolygonF polygon);
    // The selected region's polygon with a vertex moved: its mask is filled again from it, one undoable step.
    void movePolygon(QPolygonF polygon);
    void setSubtractPolygons(bool on) { subtract_ = on; }
    void select(std::optional<RowId> annotationId);
    void pickAt(QPointF at);
    void hoverAt(QPointF at);
    void regionsChanged();  // the image's regions changed: the hover map is stale
    void deleteSelected();
    void setClassOfSelected(std::optional<RowId> classId);
    // Caption, referring expressions and review state of a region, as one undoable edit.
    void describe(RowId annotationId, const QString& caption, const QStringList& expressions, ReviewState review);
    void fillHolesOfSelected();
    void keepLargestPartOfSelected();

signals:
    void candidateChanged(const QImage& overlay, const QString& info);
    void hoverChanged(const QImage& overlay);
    void markersChanged(const QVector<samtok::ui::PromptMarker>& points, const QRectF& box);
    void busyChanged(bool busy);
    void selectionChanged();
    void message(const QString& text);

private:
    QElapsedTimer asked_;  // since the prompt was sent: what the user waited, embedding included
    double waitedMs_ = 0;
    void request();
    void showCandidate();
    void onPrompt(const PromptResultPtr& r);
    void editSelectedMask(const QString& label, const std::function<void(Mask&)>& change);
    void tokenizeSoon();
    // A new region, of the box's class; `polygon`: the vertices it was filled from, if it was drawn as one.
    std::optional<RowId> addRegion(const Mask& mask, AnnotationSource source, const QString& label,
                                   std::vector<std::array<double, 2>> polygon = {});
    RowId regionAt(QPointF at);  // 0: none; the smallest region wins

    ProjectSession* session_;
    InferenceService* inference_;
    RowId image_ = 0;
    QString imagePath_, imageKey_;
    int width_ = 0, height_ = 0;
    std::optional<RowId> class_;
    std::optional<RowId> selected_;
    QVector<PromptMarker> points_;
    QRectF box_;
    PromptResultPtr result_;
    int index_ = 0;
    quint64 nextRequest_ = 1;
    bool subtract_ = false;
    std::vector<RowId> regionMap_;  // per pixel, built when first needed
    RowId hovered_ = 0;
};

}  // namespace samtok::ui
