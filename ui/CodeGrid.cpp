#include "CodeGrid.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace samtok::ui {

CodeGrid::CodeGrid(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setToolTip(tr("Code pairs: row c0, column c1; brighter pairs are used by more regions. Click or drag to pick."));
    setCodebookSize(256);
}

void CodeGrid::setCodebookSize(int k) {
    k_ = std::max(1, k);
    usage_ = QImage(k_, k_, QImage::Format_RGB32);
    usage_.fill(QColor(24, 24, 28));
    update();
}

void CodeGrid::setUsage(const std::vector<std::int32_t>& pairUsage) {
    usage_.fill(QColor(24, 24, 28));
    marks_.clear();
    if (pairUsage.size() == static_cast<std::size_t>(k_) * static_cast<std::size_t>(k_)) {
        const std::int32_t most = std::max(1, *std::max_element(pairUsage.begin(), pairUsage.end()));
        // Log scale: one use must stand out as clearly as a thousand.
        const double norm = std::log1p(static_cast<double>(most));
        for (int r = 0; r < k_; ++r)
            for (int c = 0; c < k_; ++c) {
                const std::int32_t n =
                    pairUsage[static_cast<std::size_t>(r) * static_cast<std::size_t>(k_) + static_cast<std::size_t>(c)];
                if (n == 0) continue;
                const double t = 0.35 + 0.65 * std::log1p(static_cast<double>(n)) / std::max(norm, 1e-9);
                const QColor color = QColor::fromHsvF(0.12, 0.85 - 0.6 * t, std::min(1.0, t));
                usage_.setPixelColor(c, r, color);
                marks_.emplace_back(QPoint(c, r), color);
            }
    }
    if (marks_.size() > 4096) marks_.clear();  // dense enough to read from the image alone
    update();
}

void CodeGrid::setPair(TokenPair pair) {
    c0_ = pair.c0;
    c1_ = pair.c1;
    update();
}

// Room above and to the left of the grid for its axis labels.
constexpr int kLabelMargin = 16;

QRect CodeGrid::gridRect() const {
    const int side = std::min(width(), height()) - 2 - kLabelMargin;
    return {(width() - side + kLabelMargin) / 2, (height() - side + kLabelMargin) / 2, side, side};
}

std::optional<TokenPair> CodeGrid::pairAt(QPoint p) const {
    const QRect r = gridRect();
    if (!r.contains(p) || r.width() <= 0) return std::nullopt;
    const int c1 = std::clamp((p.x() - r.left()) * k_ / r.width(), 0, k_ - 1);
    const int c0 = std::clamp((p.y() - r.top()) * k_ / r.height(), 0, k_ - 1);
    return TokenPair{c0, c1};
}

void CodeGrid::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRect r = gridRect();
    p.drawImage(r, usage_);
    const double cell = static_cast<double>(r.width()) / k_;
    if (cell < 3) {  // a pair is under a pixel wide: mark used pairs so that a few stand out
        const double side = 3;
        for (const auto& [at, color] : marks_)
            p.fillRect(QRectF(r.left() + (at.x() + 0.5) * cell - side / 2, r.top() + (at.y() + 0.5) * cell - side / 2,
                              side, side),
                       color);
    }
    p.setPen(QColor(80, 80, 90));
    p.drawRect(r.adjusted(0, 0, -1, -1));
    // Rows are c0, columns c1: say so, with the codes at the ends.
    p.setPen(palette().color(QPalette::WindowText));
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.5));
    p.setFont(small);
    p.drawText(QRect(r.left(), r.top() - kLabelMargin, r.width(), kLabelMargin), Qt::AlignCenter, tr("c1 →"));
    p.drawText(QRect(r.left(), r.top() - kLabelMargin, r.width(), kLabelMargin), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("0"));
    p.drawText(QRect(r.left(), r.top() - kLabelMargin, r.width(), kLabelMargin), Qt::AlignRight | Qt::AlignVCenter,
               QString::number(k_ - 1));
    p.save();
    p.translate(r.left() - 3, r.top() + r.height() / 2);
    p.rotate(-90);
    p.drawText(QRect(-r.height() / 2, -kLabelMargin + 3, r.height(), kLabelMargin), Qt::AlignCenter, tr("← c0"));
    p.restore();
    const QPointF at(r.left() + (c1_ + 0.5) * cell, r.top() + (c0_ + 0.5) * cell);
    p.setPen(QPen(QColor(0, 200, 255, 160), 1));
    p.drawLine(QPointF(r.left(), at.y()), QPointF(r.right(), at.y()));
    p.drawLine(QPointF(at.x(), r.top()), QPointF(at.x(), r.bottom()));
    p.setPen(QPen(Qt::white, 2));
    p.drawEllipse(at, 4, 4);
}

void CodeGrid::mousePressEvent(QMouseEvent* e) {
    const auto pair = pairAt(e->position().toPoint());
    if (pair && e->button() == Qt::LeftButton) emit pairPicked(*pair);
}

void CodeGrid::mouseMoveEvent(QMouseEvent* e) {
    const auto pair = pairAt(e->position().toPoint());
    if (!pair) return;
    if (e->buttons() & Qt::LeftButton) emit pairPicked(*pair);
    QToolTip::showText(e->globalPosition().toPoint(), tr("c0 %1 · c1 %2").arg(pair->c0).arg(pair->c1), this);
}

}  // namespace samtok::ui
