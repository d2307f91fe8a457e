#pragma once
// The codebook pairs as a square: row c0, column c1, brightness the number of
// regions of the project that use the pair. A click or drag picks a pair.
#include "tokens/TokenPair.h"

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

namespace samtok::ui {

class CodeGrid : public QWidget {
    Q_OBJECT
public:
    explicit CodeGrid(QWidget* parent = nullptr);
    void setCodebookSize(int k);
    void setUsage(const std::vector<std::int32_t>& pairUsage);  // k x k, row c0; empty: nothing known
    void setPair(TokenPair pair);
    QSize sizeHint() const override { return {260, 260}; }
    QSize minimumSizeHint() const override { return {130, 130}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override { return w; }
    // The pair under a widget position, or nothing outside the grid.
    std::optional<TokenPair> pairAt(QPoint p) const;

signals:
    void pairPicked(samtok::TokenPair pair);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    QRect gridRect() const;

    int k_ = 256;
    int c0_ = 0, c1_ = 0;
    QImage usage_;
    std::vector<std::pair<QPoint, QColor>> marks_;  // used pairs (column c1, row c0), when few enough to mark
};

}  // namespace samtok::ui
