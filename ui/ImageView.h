#pragma once
// The image canvas: zoom (wheel, fit, 100 %), pan (space-drag, middle button)
// and the project's masks drawn over the image in their class colours.
#include <QGraphicsView>
#include <QImage>

class QGraphicsPixmapItem;
class QGraphicsSimpleTextItem;

namespace samtok::ui {

class ImageView : public QGraphicsView {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    void setImage(const QImage& image);         // shows it and fits it to the view
    void setOverlay(const QImage& overlay);     // premultiplied ARGB of the image's size
    void showMessage(const QString& message);   // replaces the image (e.g. a read error)
    void clear();

    bool hasImage() const;
    QSize imageSize() const { return imageSize_; }
    double zoom() const;

public slots:
    void fitToWindow();
    void actualSize();
    void zoomIn();
    void zoomOut();
    void setOverlayOpacity(double opacity);

signals:
    void zoomChanged(double zoom);

protected:
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void applyZoom(double factor);
    void updateSmoothing();

    QGraphicsPixmapItem* imageItem_ = nullptr;
    QGraphicsPixmapItem* overlayItem_ = nullptr;
    QGraphicsSimpleTextItem* messageItem_ = nullptr;
    QSize imageSize_;
    bool fitMode_ = true;
    bool panning_ = false;
    QPoint panStart_;
};

}  // namespace samtok::ui
