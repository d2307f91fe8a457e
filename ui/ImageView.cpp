#include "ImageView.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace samtok::ui {

namespace {
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 64.0;
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
    messageItem_ = scene()->addSimpleText({});
    messageItem_->setBrush(QColor(0xe0, 0xe0, 0xe0));
    messageItem_->setZValue(2);
}

void ImageView::setImage(const QImage& image) {
    messageItem_->setText({});
    imageItem_->setPixmap(QPixmap::fromImage(image));
    overlayItem_->setPixmap({});
    imageSize_ = image.size();
    scene()->setSceneRect(QRectF(QPointF(0, 0), QSizeF(image.size())));
    fitToWindow();
}

void ImageView::setOverlay(const QImage& overlay) { overlayItem_->setPixmap(QPixmap::fromImage(overlay)); }

void ImageView::setOverlayOpacity(double opacity) { overlayItem_->setOpacity(std::clamp(opacity, 0.0, 1.0)); }

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
    imageItem_->setPixmap({});
    overlayItem_->setPixmap({});
    messageItem_->setText({});
    imageSize_ = {};
}

bool ImageView::hasImage() const { return !imageItem_->pixmap().isNull(); }

double ImageView::zoom() const { return transform().m11(); }

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

void ImageView::zoomIn() { applyZoom(1.25); }
void ImageView::zoomOut() { applyZoom(1 / 1.25); }

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
    applyZoom(std::pow(1.2, steps));
    e->accept();
}

void ImageView::keyPressEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_Space && !e->isAutoRepeat()) {
        setDragMode(QGraphicsView::ScrollHandDrag);
        return;
    }
    QGraphicsView::keyPressEvent(e);
}

void ImageView::keyReleaseEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_Space && !e->isAutoRepeat()) {
        setDragMode(QGraphicsView::NoDrag);
        return;
    }
    QGraphicsView::keyReleaseEvent(e);
}

void ImageView::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::MiddleButton) {
        panning_ = true;
        panStart_ = e->pos();
        viewport()->setCursor(Qt::ClosedHandCursor);
        e->accept();
        return;
    }
    QGraphicsView::mousePressEvent(e);
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
    QGraphicsView::mouseMoveEvent(e);
}

void ImageView::mouseReleaseEvent(QMouseEvent* e) {
    if (panning_ && e->button() == Qt::MiddleButton) {
        panning_ = false;
        viewport()->unsetCursor();
        e->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(e);
}

void ImageView::resizeEvent(QResizeEvent* e) {
    QGraphicsView::resizeEvent(e);
    if (fitMode_) fitToWindow();
}

}  // namespace samtok::ui
