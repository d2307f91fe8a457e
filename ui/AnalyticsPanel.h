#pragma once
// Where the tokenizer fails, at a glance: reconstruction IoU per class, IoU
// against mask area, how the two codebooks and their pairs are used, and the
// worst regions. Plots are QCustomPlot; each exports to PNG or PDF.
#include "analytics/TokenStats.h"
#include "tokens/TokenPair.h"

#include <QColor>
#include <QString>
#include <QWidget>

#include <map>
#include <optional>

class QCustomPlot;
class QCPColorMap;
class QComboBox;
class QLabel;
class QTabWidget;
class QTreeWidget;

namespace samtok::ui {

struct ClassStyle {
    QString name;
    QColor color;
};

class AnalyticsPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kIouBins = 20;

    explicit AnalyticsPanel(QWidget* parent = nullptr);

    // What to show; `classes` names every class id the regions use (no class: key nullopt).
    void setStats(analytics::TokenStats stats, std::map<std::optional<RowId>, ClassStyle> classes, const QString& model,
                  double flagThreshold, std::map<RowId, QString> imageNames = {});
    static constexpr std::size_t kWorstShown = 200;
    void clear(const QString& why);
    const analytics::TokenStats& stats() const { return stats_; }

    // For tests and export: the plots by tab.
    QCustomPlot* histogramPlot() const { return histogram_; }
    QCustomPlot* scatterPlot() const { return scatter_; }
    QCustomPlot* usagePlot() const { return usage_; }
    QCustomPlot* pairPlot() const { return pairs_; }
    QComboBox* classChoice() const { return classChoice_; }
    QTabWidget* tabs() const { return tabs_; }
    QTreeWidget* worstList() const { return worst_; }
    QString summary() const;
    // The bar heights of the histogram as drawn: one series per class shown, kIouBins each.
    std::map<std::optional<RowId>, std::vector<double>> histogramBars() const;
    // The region drawn nearest to a pixel of the scatter plot, within `radius` pixels.
    std::optional<analytics::RegionTokenStat> regionNear(QPointF pixel, double radius = 8) const;
    // Saves the current tab's plot; the suffix (.png or .pdf) picks the format. Returns an error or empty.
    QString exportCurrent(const QString& path) const;

signals:
    void regionActivated(samtok::RowId imageId, samtok::RowId annotationId);
    void pairActivated(samtok::TokenPair pair);

private:
    void rebuild();
    std::map<QString, std::size_t> measuredRegionsByClassName() const;  // what the legends rank classes by
    void drawHistogram();
    void drawScatter();
    void drawUsage();
    void drawPairs();
    void fillWorst();

    analytics::TokenStats stats_;
    std::map<std::optional<RowId>, ClassStyle> classes_;
    QString model_;
    std::map<RowId, QString> imageNames_;  // of the images in the lowest-IoU list
    double threshold_ = 0.75;
    QTabWidget* tabs_;
    QLabel* summary_;
    QComboBox* classChoice_;
    QCustomPlot* histogram_;
    QCustomPlot* scatter_;
    QCustomPlot* usage_;
    QCustomPlot* pairs_;
    QCPColorMap* pairMap_ = nullptr;
    QTreeWidget* worst_;
};

}  // namespace samtok::ui
