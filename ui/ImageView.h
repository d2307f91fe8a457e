#pragma once
// The image canvas: zoom (wheel, fit, 100 %), pan (space-drag, middle button)
// and the project's masks drawn over the image in their class colours. The
// tools turn mouse input into prompts, strokes and polygons in image pixels
// and hand them on by signals; what they mean is decided elsewhere.
#include <QGraphicsView>
#include <QImage>
#include <QPolygonF>
#include <QVector>

class QGraphicsPixmapItem;
class QGraphicsSimpleTextItem;
class QGraphicsPathItem;
class QGraphicsRectItem;
class QGraphicsEllipseItem;
class QGraphicsItemGroup;

namespace samtok::ui {

enum class Tool { Navigate, Click, Brush, Eraser, Polygon };

struct PromptMarker {
    QPointF at;
    bool positive = true;
};

class ImageView : public QGraphicsView {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    void setImage(const QImage& image);        // shows it and fits it to the view
    void setOverlay(const QImage& overlay);    // premultiplied ARGB of the image's size
    void showMessage(const QString& message);  // replaces the image (e.g. a read error)
    void clear();

    bool hasImage() const;
    Tool tool() const { return tool_; }
    double brushRadius() const { return brushRadius_; }
    // The candidate of the click tool, drawn above the masks (ARGB, image size); null clears it.
    void setCandidate(const QImage& candidate);
    bool hasCandidate() const;
    void setHover(const QImage& hover);            // the region under the cursor; null clears
    void setComparison(const QImage& comparison);  // the token inspector's drawn-vs-rebuilt layer; null clears
    bool hasComparison() const;
    bool hasHover() const;
    void setPromptMarkers(const QVector<PromptMarker>& points, const QRectF& box);
    bool polygonInProgress() const { return polygon_.size() > 0; }
    // The selected region's vertices, if it was drawn as a polygon: with the Polygon tool they show as handles that
    // can be dragged (polygonEdited follows the release). Empty: none.
    void setEditablePolygon(const QPolygonF& vertices);
    QPolygonF editablePolygon() const { return editable_; }
    QSize imageSize() const { return imageSize_; }
    double zoom() const;

public slots:
    void fitToWindow();
    void actualSize();
    void zoomIn();
    void zoomOut();
    void setOverlayOpacity(double opacity);
    void setTool(samtok::ui::Tool tool);
    void setBrushRadius(double radius);
    void cancelPolygon();

signals:
    void zoomChanged(double zoom);
    // In image pixels.
    void pointClicked(QPointF at, bool positive);
    void boxDrawn(QRectF box);
    void strokeFinished(QVector<QPointF> path, double radius, bool erase);
    void polygonFinished(QPolygonF polygon);
    void polygonEdited(QPolygonF polygon);  // a vertex of the editable polygon was dragged
    void regionClicked(QPointF at);         // the navigate tool: pick the region under the cursor
    void hovered(QPointF at);               // the navigate tool: the cursor moved over the image
    void acceptRequested();
    void mergeRequested(bool subtract);  // Shift+Enter adds the candidate to the selection, Alt+Enter cuts it
    void cancelRequested();
    void cycleRequested();
    void brushRadiusChanged(double radius);

protected:
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;
    bool focusNextPrevChild(bool next) override;  // Tab cycles candidates instead of moving focus

private:
    QPointF toImage(const QPoint& viewPos) const;
    void updateCursor();
    void updateBrushCursor(const QPointF& at);
    void updatePolygonPreview(const QPointF* hover);
    void finishPolygon();
    void applyZoom(double factor);
    void updateSmoothing();

    QGraphicsPixmapItem* imageItem_ = nullptr;
    QGraphicsPixmapItem* overlayItem_ = nullptr;
    QGraphicsSimpleTextItem* messageItem_ = nullptr;
    QSize imageSize_;
    QGraphicsPixmapItem* candidateItem_ = nullptr;
    QGraphicsPixmapItem* hoverItem_ = nullptr;
    QGraphicsPixmapItem* comparisonItem_ = nullptr;
    QGraphicsItemGroup* markers_ = nullptr;
    QGraphicsRectItem* rubberBand_ = nullptr;
    QGraphicsPathItem* strokeItem_ = nullptr;
    QGraphicsPathItem* polygonItem_ = nullptr;
    QGraphicsPathItem* editItem_ = nullptr;  // the editable polygon and its handles
    QGraphicsEllipseItem* brushCursor_ = nullptr;
    bool fitMode_ = true;
    bool panning_ = false;
    bool spaceHeld_ = false;
    QPoint panStart_;
    Tool tool_ = Tool::Navigate;
    double brushRadius_ = 12;
    // The gesture in progress.
    bool pressed_ = false;
    bool dragging_ = false;
    bool pressNegative_ = false;
    QPoint pressPos_;
    QPointF pressImage_;
    QVector<QPointF> stroke_;
    QPolygonF polygon_;
    QPolygonF editable_;
    int dragVertex_ = -1;  // the editable vertex being dragged

    int vertexNear(QPoint viewportPos) const;  // -1: none within a few pixels
    void updateEditablePreview();
};

}  // namespace samtok::ui
