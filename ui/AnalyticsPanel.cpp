#include "AnalyticsPanel.h"

#include "MaskOverlay.h"

#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace samtok::ui {

namespace {

// The rest of the UI's font, a step smaller or larger: QCustomPlot would otherwise pick its own.
QFont uiFont(double pointsMore = 0, bool bold = false) {
    QFont f = QApplication::font();
    f.setPointSizeF(std::max(6.0, f.pointSizeF() + pointsMore));
    f.setBold(bold);
    return f;
}

QCustomPlot* newPlot() {
    auto* p = new QCustomPlot;
    p->setMinimumSize(260, 190);
    p->setNoAntialiasingOnDrag(true);
    p->setFont(uiFont(-1));
    for (QCPAxis* axis : {p->xAxis, p->yAxis}) {
        axis->setLabelFont(uiFont(-1));
        axis->setTickLabelFont(uiFont(-1.5));
    }
    return p;
}

// With many classes a legend of every one is a smear: the `most` classes with the most regions keep an entry,
// and one line says how many more there are.
constexpr int kLegendClasses = 10;

void trimLegend(QCustomPlot* plot, const std::map<QString, std::size_t>& regionsByName) {
    for (int i = plot->legend->elementCount() - 1; i >= 0; --i)  // the last drawing's "+ N more"
        if (auto* text = qobject_cast<QCPTextElement*>(plot->legend->elementAt(i))) plot->legend->remove(text);
    plot->legend->simplify();
    std::vector<std::pair<std::size_t, QString>> ranked;
    for (const auto& [name, n] : regionsByName) ranked.push_back({n, name});
    std::sort(ranked.rbegin(), ranked.rend());
    std::set<QString> keep;
    for (std::size_t i = 0; i < ranked.size() && i < kLegendClasses; ++i) keep.insert(ranked[i].second);
    int hidden = 0;
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (!keep.count(plot->plottable(i)->name())) hidden += plot->plottable(i)->removeFromLegend() ? 1 : 0;
    if (hidden > 0) {
        auto* more = new QCPTextElement(plot, QObject::tr("+ %n more class(es)", nullptr, hidden), uiFont(-1.5));
        plot->legend->addElement(plot->legend->rowCount(), 0, more);
    }
}

// The legend beside the plot, not over its bars and dots.
void legendBeside(QCustomPlot* plot) {
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->addElement(0, 1, plot->legend);
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    plot->legend->setFont(uiFont(-1.5));
    plot->legend->setIconSize(10, 8);
    plot->legend->setRowSpacing(-2);
}

// Region counts: ticks on whole numbers only (2, 4, 6, not 2.5, 5, 7.5).
QSharedPointer<QCPAxisTicker> countTicker() {
    QSharedPointer<QCPAxisTickerFixed> t(new QCPAxisTickerFixed);
    t->setTickStep(1);
    t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    return t;
}

void setTitle(QCustomPlot* plot, const QString& text) {
    if (plot->plotLayout()->rowCount() < 2 || !qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, text, uiFont(-0.5, true)));
    } else {
        qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->setText(text);
    }
}

}  // namespace

AnalyticsPanel::AnalyticsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    summary_->setObjectName("analyticsSummary");
    layout->addWidget(summary_);
    tabs_ = new QTabWidget;
    layout->addWidget(tabs_, 1);

    auto* histTab = new QWidget;
    auto* hl = new QVBoxLayout(histTab);
    hl->setContentsMargins(0, 0, 0, 0);
    classChoice_ = new QComboBox;
    classChoice_->setToolTip(tr("All classes stacked, or one class alone"));
    hl->addWidget(classChoice_);
    histogram_ = newPlot();
    histogram_->yAxis->setTicker(countTicker());
    legendBeside(histogram_);
    hl->addWidget(histogram_, 1);
    tabs_->addTab(histTab, tr("IoU by Class"));
    connect(classChoice_, qOverload<int>(&QComboBox::activated), this, [this] { drawHistogram(); });

    scatter_ = newPlot();
    legendBeside(scatter_);
    scatter_->setToolTip(tr("Each dot is a region; click one to open it"));
    tabs_->addTab(scatter_, tr("IoU vs Area"));
    connect(scatter_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (const auto r = regionNear(e->position())) emit regionActivated(r->imageId, r->annotationId);
    });

    usage_ = newPlot();
    tabs_->addTab(usage_, tr("Code Usage"));

    pairs_ = newPlot();
    pairs_->setToolTip(tr("Pairs in use: row c0, column c1; click a cell to open the pair in the token explorer"));
    tabs_->addTab(pairs_, tr("Pair Map"));
    connect(pairs_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (!pairMap_) return;
        const int c1 = static_cast<int>(std::lround(pairs_->xAxis->pixelToCoord(e->position().x())));
        const int c0 = static_cast<int>(std::lround(pairs_->yAxis->pixelToCoord(e->position().y())));
        if (const TokenPair pair{c0, c1}; c0 >= 0 && c1 >= 0 && pair.fits(stats_.codebookSize))
            emit pairActivated(pair);
    });

    worst_ = new QTreeWidget;
    worst_->setHeaderLabels({tr("IoU"), tr("Class"), tr("Area (px)"), tr("Image"), tr("Region"), tr("c0"), tr("c1")});
    worst_->setRootIsDecorated(false);
    worst_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    worst_->setToolTip(tr("The regions their tokens rebuild worst; double-click to open one"));
    tabs_->addTab(worst_, tr("Lowest IoU"));
    connect(worst_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        emit regionActivated(item->data(3, Qt::UserRole).toLongLong(), item->data(4, Qt::UserRole).toLongLong());
    });

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    auto* exportButton = new QPushButton(tr("Export Plot…"));
    exportButton->setToolTip(tr("Save the plot shown as PNG or PDF"));
    buttons->addWidget(exportButton);
    layout->addLayout(buttons);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        QString filter;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Plot"), tr("plot.png"),
                                                          tr("PNG image (*.png);;PDF document (*.pdf)"), &filter);
        if (path.isEmpty()) return;
        const QString error = exportCurrent(path);
        summary_->setText(error.isEmpty() ? summary() + tr("\nSaved %1").arg(path) : error);
    });
    connect(tabs_, &QTabWidget::currentChanged, exportButton,
            [this, exportButton](int tab) { exportButton->setEnabled(tab != tabs_->indexOf(worst_)); });
    clear(tr("No tokens yet: load a model and run Model ▸ Tokenize Project."));
}

void AnalyticsPanel::clear(const QString& why) {
    stats_ = {};
    classes_.clear();
    rebuild();
    summary_->setText(why);
}

void AnalyticsPanel::setStats(analytics::TokenStats stats, std::map<std::optional<RowId>, ClassStyle> classes,
                              const QString& model, double flagThreshold, std::map<RowId, QString> imageNames) {
    stats_ = std::move(stats);
    imageNames_ = std::move(imageNames);
    classes_ = std::move(classes);
    model_ = model;
    threshold_ = flagThreshold;
    rebuild();
    summary_->setText(summary());
}

QString AnalyticsPanel::summary() const {
    std::size_t measured = 0, flagged = 0;
    double sum = 0;
    for (const auto& r : stats_.regions)
        if (r.iou) {
            ++measured;
            sum += *r.iou;
            if (*r.iou < threshold_) ++flagged;
        }
    if (stats_.regions.empty())
        return tr("No region has tokens of %1 yet.").arg(model_.isEmpty() ? tr("the loaded model") : model_);
    QString s = tr("%n region(s) with tokens of %1", nullptr, static_cast<int>(stats_.regions.size())).arg(model_);
    if (measured)
        s += tr(" · mean IoU %1 · %L2 below %3")
                 .arg(sum / static_cast<double>(measured), 0, 'f', 3)
                 .arg(static_cast<qulonglong>(flagged))
                 .arg(threshold_);
    s += tr("\nUnused codes: c0 %1 of %3, c1 %2 of %3 · %L4 distinct pairs")
             .arg(stats_.unusedC0)
             .arg(stats_.unusedC1)
             .arg(stats_.codebookSize)
             .arg(static_cast<qlonglong>(stats_.usedPairs));
    return s;
}

void AnalyticsPanel::rebuild() {
    const QVariant chosen = classChoice_->currentData();
    const int chosenIndex = classChoice_->currentIndex();
    classChoice_->clear();
    classChoice_->addItem(tr("All classes (stacked)"), QVariant());
    for (const auto& [id, style] : classes_) {
        // A region with no class is an id of 0 here: ids start at 1.
        classChoice_->addItem(colourSwatch(style.color), style.name, QVariant::fromValue<qlonglong>(id.value_or(0)));
    }
    const int again = chosenIndex > 0 ? classChoice_->findData(chosen) : 0;
    classChoice_->setCurrentIndex(std::max(0, again));
    drawHistogram();
    drawScatter();
    drawUsage();
    drawPairs();
    fillWorst();
}

std::map<QString, std::size_t> AnalyticsPanel::measuredRegionsByClassName() const {
    std::map<QString, std::size_t> out;
    for (const auto& r : stats_.regions)
        if (r.iou)
            if (auto c = classes_.find(r.classId); c != classes_.end()) ++out[c->second.name];
    return out;
}

void AnalyticsPanel::drawHistogram() {
    histogram_->clearPlottables();
    const QVariant chosen = classChoice_->currentData();
    const double width = 1.0 / kIouBins;
    QVector<double> keys;
    for (int i = 0; i < kIouBins; ++i) keys << (i + 0.5) * width;
    QCPBars* below = nullptr;
    double top = 0;
    std::vector<double> stack(kIouBins, 0.0);
    for (const auto& [id, style] : classes_) {
        if (chosen.isValid() && chosen.toLongLong() != id.value_or(0)) continue;
        const auto counts = analytics::iouHistogram(stats_.regions, kIouBins, std::optional<std::optional<RowId>>(id));
        QVector<double> values;
        bool any = false;
        for (int i = 0; i < kIouBins; ++i) {
            values << static_cast<double>(counts[static_cast<std::size_t>(i)]);
            stack[static_cast<std::size_t>(i)] += values.back();
            any = any || counts[static_cast<std::size_t>(i)] > 0;
        }
        if (!any) continue;
        auto* bars = new QCPBars(histogram_->xAxis, histogram_->yAxis);
        bars->setName(style.name);
        bars->setProperty("classId", QVariant::fromValue<qlonglong>(id.value_or(0)));
        bars->setWidth(width * 0.92);
        bars->setPen(QPen(style.color.darker(140)));
        bars->setBrush(style.color);
        bars->setData(keys, values, true);
        if (below) bars->moveAbove(below);
        below = bars;
    }
    for (double v : stack) top = std::max(top, v);
    histogram_->xAxis->setRange(0, 1);
    histogram_->xAxis->setLabel(tr("reconstruction IoU"));
    histogram_->yAxis->setLabel(tr("regions"));
    histogram_->yAxis->setRange(0, std::max(1.0, top * 1.08));
    histogram_->clearItems();
    auto* flagLine = new QCPItemStraightLine(histogram_);
    flagLine->point1->setCoords(threshold_, 0);
    flagLine->point2->setCoords(threshold_, 1);
    flagLine->setPen(QPen(QColor(200, 40, 40), 1, Qt::DashLine));
    histogram_->legend->setVisible(histogram_->plottableCount() > 0);
    trimLegend(histogram_, measuredRegionsByClassName());
    setTitle(histogram_, tr("Reconstruction IoU (flag at %1, dashed)").arg(threshold_));
    histogram_->replot(QCustomPlot::rpQueuedReplot);
}

std::map<std::optional<RowId>, std::vector<double>> AnalyticsPanel::histogramBars() const {
    std::map<std::optional<RowId>, std::vector<double>> out;
    for (int i = 0; i < histogram_->plottableCount(); ++i) {
        auto* bars = qobject_cast<QCPBars*>(histogram_->plottable(i));
        if (!bars) continue;
        const qlonglong id = bars->property("classId").toLongLong();
        auto& v = out[id == 0 ? std::nullopt : std::optional<RowId>(id)];
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) v.push_back(it->value);
    }
    return out;
}

void AnalyticsPanel::drawScatter() {
    scatter_->clearGraphs();
    scatter_->clearItems();
    double maxArea = 10, minArea = 1e18;
    for (const auto& [id, style] : classes_) {
        QVector<double> x, y;
        for (const auto& r : stats_.regions)
            if (r.iou && r.classId == id) {
                x << std::max<double>(1.0, static_cast<double>(r.area));
                y << *r.iou;
                maxArea = std::max(maxArea, x.back());
                minArea = std::min(minArea, x.back());
            }
        if (x.isEmpty()) continue;
        QCPGraph* g = scatter_->addGraph();
        g->setName(style.name);
        g->setLineStyle(QCPGraph::lsNone);
        QColor c = style.color;
        c.setAlpha(170);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 5));
        g->setData(x, y);
    }
    scatter_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    scatter_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    scatter_->xAxis->setNumberFormat("eb");
    scatter_->xAxis->setNumberPrecision(0);
    // Whole decades around the data: small masks are where tokenizers fail, so they must not be squeezed.
    const double low = minArea < 1e18 ? std::pow(10.0, std::floor(std::log10(minArea))) : 1.0;
    scatter_->xAxis->setRange(low, std::max(low * 10, std::pow(10.0, std::ceil(std::log10(maxArea)))));
    scatter_->xAxis->setLabel(tr("mask area (pixels, log scale)"));
    scatter_->yAxis->setRange(0, 1.02);
    scatter_->yAxis->setLabel(tr("reconstruction IoU"));
    auto* line = new QCPItemStraightLine(scatter_);
    line->point1->setCoords(1, threshold_);
    line->point2->setCoords(10, threshold_);
    line->setPen(QPen(QColor(200, 40, 40), 1, Qt::DashLine));
    scatter_->legend->setVisible(scatter_->graphCount() > 0);
    trimLegend(scatter_, measuredRegionsByClassName());
    setTitle(scatter_, tr("IoU by mask area (flag at %1, dashed)").arg(threshold_));
    scatter_->replot(QCustomPlot::rpQueuedReplot);
}

std::optional<analytics::RegionTokenStat> AnalyticsPanel::regionNear(QPointF pixel, double radius) const {
    std::optional<analytics::RegionTokenStat> best;
    double bestD = radius * radius;
    for (const auto& r : stats_.regions) {
        if (!r.iou) continue;
        const double px = scatter_->xAxis->coordToPixel(std::max<double>(1.0, static_cast<double>(r.area)));
        const double py = scatter_->yAxis->coordToPixel(*r.iou);
        const double d = (px - pixel.x()) * (px - pixel.x()) + (py - pixel.y()) * (py - pixel.y());
        if (d <= bestD) {
            bestD = d;
            best = r;
        }
    }
    return best;
}

void AnalyticsPanel::drawUsage() {
    usage_->clearPlottables();
    usage_->plotLayout()->clear();
    const int k = stats_.codebookSize;
    QVector<double> keys;
    for (int i = 0; i < k; ++i) keys << i;
    const std::pair<const std::vector<std::int64_t>*, int> levels[] = {{&stats_.c0Usage, stats_.unusedC0},
                                                                       {&stats_.c1Usage, stats_.unusedC1}};
    for (int level = 0; level < 2; ++level) {
        auto* rect = new QCPAxisRect(usage_);
        usage_->plotLayout()->addElement(level, 0, rect);
        auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        bars->setName(level == 0 ? QStringLiteral("c0") : QStringLiteral("c1"));
        bars->setWidth(0.9);
        bars->setPen(Qt::NoPen);
        bars->setBrush(level == 0 ? QColor(40, 120, 200) : QColor(220, 120, 30));
        QVector<double> values;
        double top = 1;
        for (int i = 0; i < k; ++i) {
            const double v = i < static_cast<int>(levels[level].first->size())
                                 ? static_cast<double>((*levels[level].first)[static_cast<std::size_t>(i)])
                                 : 0;
            values << v;
            top = std::max(top, v);
        }
        bars->setData(keys, values, true);
        rect->axis(QCPAxis::atBottom)->setRange(-1, k);
        rect->axis(QCPAxis::atBottom)
            ->setLabel(tr("%1 code (%2 of %3 unused)").arg(level == 0 ? "c0" : "c1").arg(levels[level].second).arg(k));
        rect->axis(QCPAxis::atLeft)->setRange(0, top * 1.08);
        rect->axis(QCPAxis::atLeft)->setLabel(tr("regions"));
        rect->axis(QCPAxis::atLeft)->setTicker(countTicker());
    }
    usage_->replot(QCustomPlot::rpQueuedReplot);
}

void AnalyticsPanel::drawPairs() {
    pairs_->clearPlottables();
    pairs_->plotLayout()->clear();
    auto* rect = new QCPAxisRect(pairs_);
    pairs_->plotLayout()->addElement(0, 0, rect);
    pairs_->xAxis = rect->axis(QCPAxis::atBottom);
    pairs_->yAxis = rect->axis(QCPAxis::atLeft);
    const int k = stats_.codebookSize;
    pairMap_ = new QCPColorMap(pairs_->xAxis, pairs_->yAxis);
    pairMap_->data()->setSize(k, k);
    pairMap_->data()->setRange(QCPRange(0, k - 1), QCPRange(0, k - 1));
    // Colour by log10(1 + regions) from white: an unused pair is blank, a pair used once is plainly visible.
    double most = 0;
    QVector<double> usedC1, usedC0;  // marked too: at 256 x 256 a cell is about a pixel
    for (int c0 = 0; c0 < k; ++c0)
        for (int c1 = 0; c1 < k; ++c1) {
            const std::size_t i =
                static_cast<std::size_t>(c0) * static_cast<std::size_t>(k) + static_cast<std::size_t>(c1);
            const double n = i < stats_.pairUsage.size() ? stats_.pairUsage[i] : 0;
            pairMap_->data()->setCell(c1, c0, std::log10(1.0 + n));
            most = std::max(most, n);
            if (n > 0) usedC1 << c1, usedC0 << c0;
        }
    if (k >= 64) {
        QCPGraph* marks = pairs_->addGraph(pairs_->xAxis, pairs_->yAxis);
        marks->setLineStyle(QCPGraph::lsNone);
        marks->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QColor(150, 20, 40), 3));
        marks->setData(usedC1, usedC0);
    }
    auto* scale = new QCPColorScale(pairs_);
    pairs_->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setLabel(tr("regions per pair"));
    // The colours are log10(1 + n); the scale reads in counts (1, 2, 5, 10, ...), never in logs.
    QSharedPointer<QCPAxisTickerText> counts(new QCPAxisTickerText);
    counts->addTick(0, QStringLiteral("0"));
    for (double n = 1; n <= std::max(1.0, most); n *= 10)
        for (double step : {1.0, 2.0, 5.0})
            if (n * step <= std::max(1.0, most)) counts->addTick(std::log10(1.0 + n * step), QString::number(n * step));
    scale->axis()->setTicker(counts);
    scale->axis()->setTickLabelFont(uiFont(-1.5));
    scale->axis()->setLabelFont(uiFont(-1));
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, Qt::white);
    gradient.setColorStopAt(0.001, QColor(255, 190, 90));
    gradient.setColorStopAt(0.5, QColor(215, 60, 20));
    gradient.setColorStopAt(1.0, QColor(90, 0, 30));
    pairMap_->setColorScale(scale);  // first: the map takes over the scale's gradient and range
    pairMap_->setGradient(gradient);
    pairMap_->setInterpolate(false);
    pairMap_->setDataRange(QCPRange(0, std::max(std::log10(2.0), std::log10(1.0 + most))));
    pairs_->xAxis->setRange(-0.5, k - 0.5);
    pairs_->yAxis->setRange(-0.5, k - 0.5);
    pairs_->yAxis->setRangeReversed(true);  // c0 grows downwards, as in the explorer's grid
    pairs_->xAxis->setLabel(tr("c1"));
    pairs_->yAxis->setLabel(tr("c0"));
    auto* margins = new QCPMarginGroup(pairs_);
    rect->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    pairs_->plotLayout()->insertRow(0);
    pairs_->plotLayout()->addElement(0, 0,
                                     new QCPTextElement(pairs_,
                                                        tr("%L1 of %L2 pairs in use")
                                                            .arg(static_cast<qlonglong>(stats_.usedPairs))
                                                            .arg(static_cast<qlonglong>(k) * k),
                                                        uiFont(-0.5, true)));
    pairs_->replot(QCustomPlot::rpQueuedReplot);
}

void AnalyticsPanel::fillWorst() {
    worst_->clear();
    for (const auto& r : analytics::lowestIou(stats_.regions, kWorstShown)) {
        auto* item = new QTreeWidgetItem(worst_);
        const auto style = classes_.find(r.classId);
        item->setText(0, QString::number(*r.iou, 'f', 3));
        item->setText(1, style != classes_.end() ? style->second.name : QString());
        item->setText(2, QLocale().toString(static_cast<qulonglong>(r.area)));
        const auto name = imageNames_.find(r.imageId);
        item->setText(3, name != imageNames_.end() ? name->second : QString::number(r.imageId));
        item->setData(3, Qt::UserRole, QVariant::fromValue<qlonglong>(r.imageId));
        item->setText(4, QString::number(r.annotationId));
        item->setData(4, Qt::UserRole, QVariant::fromValue<qlonglong>(r.annotationId));
        item->setText(5, QString::number(r.c0));
        item->setText(6, QString::number(r.c1));
        if (*r.iou < threshold_) item->setForeground(0, QColor(200, 40, 40));
    }
}

QString AnalyticsPanel::exportCurrent(const QString& path) const {
    QCustomPlot* plot = nullptr;
    switch (tabs_->currentIndex()) {
        case 0:
            plot = histogram_;
            break;
        case 1:
            plot = scatter_;
            break;
        case 2:
            plot = usage_;
            break;
        case 3:
            plot = pairs_;
            break;
        default:
            return tr("The list is not a plot: pick a plot tab to export.");
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const int w = std::max(800, plot->width()), h = std::max(600, plot->height());
    bool ok = false;
    if (suffix == QLatin1String("pdf"))
        ok = plot->savePdf(path, w, h);
    else if (suffix == QLatin1String("png"))
        ok = plot->savePng(path, w, h, 2.0);
    else
        return tr("Unknown plot format '.%1': use .png or .pdf").arg(suffix);
    return ok ? QString() : tr("Cannot write '%1' (is the folder writable and the disk not full?)").arg(path);
}

}  // namespace samtok::ui
