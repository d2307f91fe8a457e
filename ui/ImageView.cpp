#include "ImageView.h"

#include <QGraphicsEllipseItem>
#include <QGraphicsItemGroup>
#include <QGraphicsPathItem>
#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QPainterPath>
#include <QPen>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace samtok::ui {

namespace {
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 64.0;
constexpr int kDragThreshold = 4;  // pixels of the screen before a press becomes a drag
constexpr double kMinBrush = 1, kMaxBrush = 300;

// A pen whose width stays one screen pixel at any zoom.
QPen cosmetic(const QColor& c, qreal width = 1.5, Qt::PenStyle style = Qt::SolidLine) {
    QPen p(c, width, style);
    p.setCosmetic(true);
    return p;
}
}  // namespace

ImageView::ImageView(QWidget* parent) : QGraphicsView(parent) {
    setScene(new QGraphicsScene(this));
    setBackgroundBrush(QColor(0x2b, 0x2d, 0x31));
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    imageItem_ = scene()->addPixmap({});
    imageItem_->setTransformationMode(Qt::SmoothTransformation);
    overlayItem_ = scene()->addPixmap({});
    overlayItem_->setOpacity(1.0);
    overlayItem_->setZValue(1);
    candidateItem_ = scene()->addPixmap({});
    candidateItem_->setZValue(2);
    hoverItem_ = scene()->addPixmap({});
    hoverItem_->setZValue(1.5);
    comparisonItem_ = scene()->addPixmap({});
    comparisonItem_->setZValue(1.2);
    markers_ = scene()->createItemGroup({});
    markers_->setZValue(5);
    rubberBand_ = scene()->addRect({}, cosmetic(QColor(0x40, 0xc4, 0xff), 1.5, Qt::DashLine));
    rubberBand_->setZValue(5);
    rubberBand_->hide();
    strokeItem_ = scene()->addPath({});
    strokeItem_->setZValue(4);
    polygonItem_ = scene()->addPath({}, cosmetic(QColor(0xff, 0xd5, 0x4f), 1.5));
    polygonItem_->setZValue(5);
    editItem_ = scene()->addPath({}, cosmetic(QColor(0x40, 0xe0, 0xff), 1.5));
    editItem_->setBrush(QColor(0x40, 0xe0, 0xff, 60));
    editItem_->setZValue(5);
    brushCursor_ = scene()->addEllipse({}, cosmetic(QColor(255, 255, 255, 220), 1.0));
    brushCursor_->setZValue(6);
    brushCursor_->hide();
    messageItem_ = scene()->addSimpleText({});
    messageItem_->setBrush(QColor(0xe0, 0xe0, 0xe0));
    messageItem_->setZValue(7);
    setMouseTracking(true);
    connect(this, &ImageView::zoomChanged, this, [this] { updateEditablePreview(); });  // handles keep their size
}

void ImageView::setEditablePolygon(const QPolygonF& vertices) {
    editable_ = vertices;
    dragVertex_ = -1;
    updateEditablePreview();
}

void ImageView::updateEditablePreview() {
    QPainterPath path;
    if (tool_ == Tool::Polygon && editable_.size() >= 3) {
        path.addPolygon(editable_);
        path.closeSubpath();
        const double r = 4 / std::max(zoom(), 1e-3);  // handles of a constant size on screen
        for (const QPointF& p : editable_) path.addRect(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r));
    }
    editItem_->setPath(path);
}

int ImageView::vertexNear(QPoint viewportPos) const {
    if (tool_ != Tool::Polygon || editable_.size() < 3) return -1;
    int best = -1;
    double bestDistance = 7;  // screen pixels
    for (int i = 0; i < editable_.size(); ++i) {
        const double d = QLineF(mapFromScene(editable_[i]), viewportPos).length();
        if (d <= bestDistance) best = i, bestDistance = d;
    }
    return best;
}

void ImageView::setTool(Tool tool) {
    tool_ = tool;
    hoverItem_->setPixmap({});
    cancelPolygon();
    updateEditablePreview();
    brushCursor_->setVisible(false);
    updateCursor();
}

void ImageView::setBrushRadius(double radius) {
    brushRadius_ = std::clamp(radius, kMinBrush, kMaxBrush);
    updateBrushCursor(brushCursor_->rect().center());
    emit brushRadiusChanged(brushRadius_);
}

void ImageView::updateCursor() {
    if (spaceHeld_ || panning_) return;
    switch (tool_) {
        case Tool::Navigate:
            viewport()->unsetCursor();
            break;
        case Tool::Brush:
        case Tool::Eraser:
            viewport()->setCursor(Qt::BlankCursor);
            break;  // the brush circle is the cursor
        default:
            viewport()->setCursor(Qt::CrossCursor);
            break;
    }
}

void ImageView::updateBrushCursor(const QPointF& at) {
    const bool brush = tool_ == Tool::Brush || tool_ == Tool::Eraser;
    brushCursor_->setVisible(brush && hasImage());
    brushCursor_->setRect(QRectF(at.x() - brushRadius_, at.y() - brushRadius_, 2 * brushRadius_, 2 * brushRadius_));
    brushCursor_->setPen(
        cosmetic(tool_ == Tool::Eraser ? QColor(255, 120, 120, 230) : QColor(255, 255, 255, 230), 1.0));
}

bool ImageView::hasCandidate() const {
    return candidateItem_ && candidateItem_->isVisible() && !candidateItem_->pixmap().isNull();
}

void ImageView::setCandidate(const QImage& candidate) {
    candidateItem_->setPixmap(candidate.isNull() ? QPixmap() : QPixmap::fromImage(candidate));
}

void ImageView::setHover(const QImage& hover) {
    hoverItem_->setPixmap(hover.isNull() ? QPixmap() : QPixmap::fromImage(hover));
}

void ImageView::setComparison(const QImage& c) {
    comparisonItem_->setPixmap(c.isNull() ? QPixmap() : QPixmap::fromImage(c));
}

bool ImageView::hasComparison() const {
    return !comparisonItem_->pixmap().isNull();
}

bool ImageView::hasHover() const {
    return !hoverItem_->pixmap().isNull();
}

void ImageView::setPromptMarkers(const QVector<PromptMarker>& points, const QRectF& box) {
    for (QGraphicsItem* child : markers_->childItems()) {
        markers_->removeFromGroup(child);
        delete child;
    }
    const double r = 5 / std::max(zoom(), 1e-3);  // about 5 screen pixels
    for (const auto& p : points) {
        auto* dot = new QGraphicsEllipseItem(p.at.x() - r, p.at.y() - r, 2 * r, 2 * r);
        dot->setBrush(p.positive ? QColor(0x4c, 0xaf, 0x50) : QColor(0xf4, 0x43, 0x36));
        dot->setPen(cosmetic(Qt::white, 1.5));
        markers_->addToGroup(dot);
    }
    if (!box.isNull()) {
        auto* rect = new QGraphicsRectItem(box);
        rect->setPen(cosmetic(QColor(0x40, 0xc4, 0xff), 2.0));
        markers_->addToGroup(rect);
    }
}

void ImageView::cancelPolygon() {
    polygon_.clear();
    polygonItem_->setPath({});
}

void ImageView::updatePolygonPreview(const QPointF* hover) {
    QPainterPath path;
    if (!polygon_.isEmpty()) {
        path.addPolygon(polygon_);
        if (hover) path.lineTo(*hover);
        const double r = 3 / std::max(zoom(), 1e-3);
        for (const QPointF& p : polygon_) path.addEllipse(p, r, r);
    }
    polygonItem_->setPath(path);
}

void ImageView::finishPolygon() {
    if (polygon_.size() >= 3) emit polygonFinished(polygon_);
    cancelPolygon();
}

QPointF ImageView::toImage(const QPoint& viewPos) const {
    return mapToScene(viewPos);
}

bool ImageView::focusNextPrevChild(bool next) {
    if (hasImage()) return false;  // the key reaches keyPressEvent: Tab is the next candidate
    return QGraphicsView::focusNextPrevChild(next);
}

void ImageView::mouseDoubleClickEvent(QMouseEvent* e) {
    if (tool_ == Tool::Polygon && e->button() == Qt::LeftButton) {
        finishPolygon();
        e->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(e);
}

void ImageView::leaveEvent(QEvent* e) {
    brushCursor_->hide();
    hoverItem_->setPixmap({});
    QGraphicsView::leaveEvent(e);
}

void ImageView::setImage(const QImage& image) {
    messageItem_->setText({});
    imageItem_->setPixmap(QPixmap::fromImage(image));
    overlayItem_->setPixmap({});
    candidateItem_->setPixmap({});
    hoverItem_->setPixmap({});
    comparisonItem_->setPixmap({});
    setPromptMarkers({}, {});
    cancelPolygon();
    imageSize_ = image.size();
    scene()->setSceneRect(QRectF(QPointF(0, 0), QSizeF(image.size())));
    fitToWindow();
}

void ImageView::setOverlay(const QImage& overlay) {
    overlayItem_->setPixmap(QPixmap::fromImage(overlay));
}

void ImageView::setOverlayOpacity(double opacity) {
    overlayItem_->setOpacity(std::clamp(opacity, 0.0, 1.0));
}

void ImageView::showMessage(const QString& message) {
    imageItem_->setPixmap({});
    overlayItem_->setPixmap({});
    imageSize_ = {};
    messageItem_->setText(message);
    scene()->setSceneRect(messageItem_->boundingRect().adjusted(-40, -40, 40, 40));
    resetTransform();
    centerOn(messageItem_);
}

void ImageView::clear() {
    candidateItem_->setPixmap({});
    setPromptMarkers({}, {});
    cancelPolygon();
    setEditablePolygon({});
    imageItem_->setPixmap({});
    overlayItem_->setPixmap({});
    messageItem_->setText({});
    imageSize_ = {};
}

bool ImageView::hasImage() const {
    return !imageItem_->pixmap().isNull();
}

double ImageView::zoom() const {
    return transform().m11();
}

void ImageView::fitToWindow() {
    fitMode_ = true;
    if (!hasImage()) return;
    fitInView(imageItem_, Qt::KeepAspectRatio);
    updateSmoothing();
    emit zoomChanged(zoom());
}

void ImageView::actualSize() {
    fitMode_ = false;
    resetTransform();
    updateSmoothing();
    emit zoomChanged(zoom());
}

void ImageView::zoomIn() {
    applyZoom(1.25);
}
void ImageView::zoomOut() {
    applyZoom(1 / 1.25);
}

void ImageView::applyZoom(double factor) {
    if (!hasImage()) return;
    const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    fitMode_ = false;
    scale(target / zoom(), target / zoom());
    updateSmoothing();
    emit zoomChanged(zoom());
}

// Smoothing helps when shrinking; when magnified, annotators need to see the pixels.
void ImageView::updateSmoothing() {
    const auto mode = zoom() < 2.0 ? Qt::SmoothTransformation : Qt::FastTransformation;
    imageItem_->setTransformationMode(mode);
    overlayItem_->setTransformationMode(Qt::FastTransformation);
}

void ImageView::wheelEvent(QWheelEvent* e) {
    const double steps = e->angleDelta().y() / 120.0;
    if (steps == 0) return;
    if ((tool_ == Tool::Brush || tool_ == Tool::Eraser) && (e->modifiers() & Qt::ControlModifier)) {
        setBrushRadius(brushRadius_ * std::pow(1.15, steps));
        e->accept();
        return;
    }
    applyZoom(std::pow(1.2, steps));
    e->accept();
}

void ImageView::keyPressEvent(QKeyEvent* e) {
    switch (e->key()) {
        case Qt::Key_Space:
            if (!e->isAutoRepeat()) {
                spaceHeld_ = true;
                setDragMode(QGraphicsView::ScrollHandDrag);
            }
            return;
        case Qt::Key_Tab:
            emit cycleRequested();
            return;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            if (tool_ == Tool::Polygon && polygonInProgress())
                finishPolygon();
            else if (e->modifiers() & Qt::ShiftModifier)
                emit mergeRequested(false);
            else if (e->modifiers() & Qt::AltModifier)
                emit mergeRequested(true);
            else
                emit acceptRequested();
            return;
        case Qt::Key_Escape:
            if (polygonInProgress())
                cancelPolygon();
            else
                emit cancelRequested();
            return;
        case Qt::Key_Backspace:
            if (polygonInProgress()) {
                polygon_.removeLast();
                updatePolygonPreview(nullptr);
                return;
            }
            break;
        case Qt::Key_BracketLeft:
            setBrushRadius(brushRadius_ / 1.2);
            return;
        case Qt::Key_BracketRight:
            setBrushRadius(brushRadius_ * 1.2);
            return;
        default:
            break;
    }
    QGraphicsView::keyPressEvent(e);
}

void ImageView::keyReleaseEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_Space && !e->isAutoRepeat()) {
        spaceHeld_ = false;
        setDragMode(QGraphicsView::NoDrag);
        updateCursor();
        return;
    }
    QGraphicsView::keyReleaseEvent(e);
}

void ImageView::mousePressEvent(QMouseEvent* e) {
    setFocus(Qt::MouseFocusReason);
    if (e->button() == Qt::MiddleButton) {
        panning_ = true;
        panStart_ = e->pos();
        viewport()->setCursor(Qt::ClosedHandCursor);
        e->accept();
        return;
    }
    if (spaceHeld_ || !hasImage() || (e->button() != Qt::LeftButton && e->button() != Qt::RightButton)) {
        QGraphicsView::mousePressEvent(e);
        return;
    }
    pressed_ = true;
    dragging_ = false;
    pressPos_ = e->pos();
    pressImage_ = toImage(e->pos());
    pressNegative_ = e->button() == Qt::RightButton || (e->modifiers() & Qt::ShiftModifier);
    dragVertex_ = e->button() == Qt::LeftButton && !polygonInProgress() ? vertexNear(e->pos()) : -1;
    if ((tool_ == Tool::Brush || tool_ == Tool::Eraser) && e->button() == Qt::LeftButton) {
        stroke_ = {pressImage_};
        QPen pen(tool_ == Tool::Eraser ? QColor(255, 80, 80, 140) : QColor(80, 200, 255, 140), 2 * brushRadius_,
                 Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
        strokeItem_->setPen(pen);
        QPainterPath path(pressImage_);
        path.lineTo(pressImage_ + QPointF(0.01, 0));
        strokeItem_->setPath(path);
    }
    e->accept();
}

void ImageView::mouseMoveEvent(QMouseEvent* e) {
    if (panning_) {
        const QPoint d = e->pos() - panStart_;
        panStart_ = e->pos();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        e->accept();
        return;
    }
    const QPointF at = toImage(e->pos());
    updateBrushCursor(at);
    if (tool_ == Tool::Polygon && polygonInProgress()) updatePolygonPreview(&at);
    if (tool_ == Tool::Navigate && !pressed_ && hasImage()) emit hovered(at);
    if (!pressed_) {
        QGraphicsView::mouseMoveEvent(e);
        return;
    }
    if ((e->pos() - pressPos_).manhattanLength() >= kDragThreshold) dragging_ = true;
    if (dragVertex_ >= 0) {
        const QRectF bounds(QPointF(0, 0), QSizeF(imageSize_));
        editable_[dragVertex_] =
            QPointF(std::clamp(at.x(), 0.0, bounds.width()), std::clamp(at.y(), 0.0, bounds.height()));
        updateEditablePreview();
        e->accept();
        return;
    }
    if (tool_ == Tool::Click && dragging_ && !pressNegative_) {
        rubberBand_->setRect(QRectF(pressImage_, at).normalized());
        rubberBand_->show();
    } else if ((tool_ == Tool::Brush || tool_ == Tool::Eraser) && !stroke_.isEmpty()) {
        stroke_.push_back(at);
        QPainterPath path = strokeItem_->path();
        path.lineTo(at);
        strokeItem_->setPath(path);
    }
    e->accept();
}

void ImageView::mouseReleaseEvent(QMouseEvent* e) {
    if (panning_ && e->button() == Qt::MiddleButton) {
        panning_ = false;
        updateCursor();
        e->accept();
        return;
    }
    if (!pressed_) {
        QGraphicsView::mouseReleaseEvent(e);
        return;
    }
    pressed_ = false;
    const QPointF at = toImage(e->pos());
    const QRectF bounds(QPointF(0, 0), QSizeF(imageSize_));
    if (dragVertex_ >= 0) {  // a vertex of the selected region's polygon moved (a click on one moves nothing)
        dragVertex_ = -1;
        if (dragging_) emit polygonEdited(editable_);
        dragging_ = false;
        e->accept();
        return;
    }
    switch (tool_) {
        case Tool::Navigate:
            if (!dragging_ && bounds.contains(at)) emit regionClicked(at);
            break;
        case Tool::Click:
            rubberBand_->hide();
            if (dragging_ && !pressNegative_) {
                const QRectF box = QRectF(pressImage_, at).normalized() & bounds;
                if (box.width() >= 2 && box.height() >= 2) emit boxDrawn(box);
            } else if (bounds.contains(at)) {
                emit pointClicked(at, !pressNegative_);
            }
            break;
        case Tool::Brush:
        case Tool::Eraser:
            if (!stroke_.isEmpty()) emit strokeFinished(stroke_, brushRadius_, tool_ == Tool::Eraser);
            stroke_.clear();
            strokeItem_->setPath({});
            break;
        case Tool::Polygon:
            if (e->button() == Qt::LeftButton) {
                const double closeDistance = 8 / std::max(zoom(), 1e-3);
                if (polygon_.size() >= 3 && QLineF(polygon_.front(), at).length() <= closeDistance) {
                    finishPolygon();
                } else {
                    polygon_ << QPointF(std::clamp(at.x(), 0.0, bounds.width()),
                                        std::clamp(at.y(), 0.0, bounds.height()));
                    updatePolygonPreview(nullptr);
                }
            } else if (polygonInProgress()) {
                polygon_.removeLast();  // right click takes back the last vertex
                updatePolygonPreview(nullptr);
            }
            break;
    }
    dragging_ = false;
    e->accept();
}

void ImageView::resizeEvent(QResizeEvent* e) {
    QGraphicsView::resizeEvent(e);
    if (fitMode_) fitToWindow();
}

}  // namespace samtok::ui
