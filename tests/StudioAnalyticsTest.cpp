// The studio's analytics panel: its plots count what the database holds, a click
// on a dot opens the region, every plot exports, and new tokens show live.
#include "AnalyticsPanel.h"
#include "AnnotateController.h"
#include "InferenceService.h"
#include "InspectController.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "StudioFixtures.h"
#include "TestPaths.h"
#include "edit/RegionEdit.h"
#include "store/ProjectStore.h"
#include "store/Sqlite.h"

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTreeWidget>
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace samtok;
using namespace samtok::test;  // the fixtures of StudioFixtures.h

namespace {

// The sample, tokenized, with known IoUs: every region gets one from its id, so that each class spreads over the
// bins; the analytics panel shown and refreshed.
class StudioAnalytics : public StudioSample {
protected:
    ui::AnalyticsPanel* openWithKnownIous() {
        if (!openSample({1400, 900})) return nullptr;  // it says why
        if (!tokenizedAll(*window_)) {
            ADD_FAILURE() << "the sample was not tokenized";
            return nullptr;
        }
        ProjectStore& store = *session.storeForTests();
        tokenizer = store.tokenizers().at(0).id;
        for (auto t : store.tokensOf(tokenizer)) {
            t.reconstructionIou = static_cast<double>((t.annotationId * 37) % 101) / 100.0;
            store.setTokens(t);
        }
        window_->analyticsDock()->show();
        QSignalSpy first(window_->inspect(), &ui::InspectController::analyticsRefreshed);
        window_->inspect()->refreshNow();  // the query runs off the UI thread
        if (!first.wait(30000)) {
            ADD_FAILURE() << "the analytics never refreshed";
            return nullptr;
        }
        return window_->analyticsPanel();
    }

    RowId tokenizer = 0;
};

}  // namespace

TEST_F(StudioAnalytics, EachClasssBarsAreTheDatabasesCountsAndTheWorstRegionsComeFirst) {
    ui::AnalyticsPanel* panel = openWithKnownIous();
    ASSERT_TRUE(panel);
    auto& store = *session.storeForTests();

    // Each class's bars are the counts the database gives for its bins.
    const auto bars = panel->histogramBars();
    ASSERT_FALSE(bars.empty());
    std::int64_t drawn = 0;
    for (const auto& [cls, heights] : bars) {
        ASSERT_EQ(heights.size(), static_cast<std::size_t>(ui::AnalyticsPanel::kIouBins));
        for (int b = 0; b < ui::AnalyticsPanel::kIouBins; ++b) {
            const std::string upper =
                b == ui::AnalyticsPanel::kIouBins - 1 ? "<= 1.0" : "< " + std::to_string((b + 1) / 20.0);
            const auto expected = store.database().queryInt(
                "SELECT count(*) FROM tokens t JOIN annotations a ON a.id = t.annotation_id WHERE t.tokenizer_id = " +
                std::to_string(tokenizer) + " AND " +
                (cls ? "a.class_id = " + std::to_string(*cls) : "a.class_id IS NULL") +
                " AND t.reconstruction_iou >= " + std::to_string(b / 20.0) + " AND t.reconstruction_iou " + upper);
            EXPECT_EQ(static_cast<std::int64_t>(heights[static_cast<std::size_t>(b)]), expected) << "bin " << b;
            drawn += static_cast<std::int64_t>(heights[static_cast<std::size_t>(b)]);
        }
    }
    EXPECT_EQ(drawn, store.annotationCount());
    // Counts are ticked on whole numbers.
    panel->histogramPlot()->replot(QCustomPlot::rpImmediateRefresh);
    const QVector<double> ticks = panel->histogramPlot()->yAxis->tickVector();
    ASSERT_GE(ticks.size(), 2);
    for (double t : ticks) EXPECT_EQ(t, std::round(t)) << "a fractional region count on the axis";
    // The worst regions first, named by their image's file.
    ASSERT_GT(panel->worstList()->topLevelItemCount(), 0);
    const auto worst = analytics::lowestIou(panel->stats().regions, 1).at(0);
    EXPECT_EQ(panel->worstList()->topLevelItem(0)->text(4).toLongLong(), worst.annotationId);
    EXPECT_TRUE(panel->worstList()->topLevelItem(0)->text(3).endsWith(".png"))
        << panel->worstList()->topLevelItem(0)->text(3).toStdString();
    // One class alone.
    panel->classChoice()->setCurrentIndex(1);
    emit panel->classChoice()->activated(1);
    EXPECT_EQ(panel->histogramBars().size(), 1u);
    // Unused codes as the database counts them.
    const auto unusedC0 =
        256 - store.database().queryInt("SELECT count(DISTINCT c0) FROM tokens WHERE tokenizer_id = " +
                                        std::to_string(tokenizer));
    EXPECT_TRUE(panel->summary().contains(QString("c0 %1 of 256").arg(unusedC0))) << panel->summary().toStdString();
}

TEST_F(StudioAnalytics, AClickOnADotOfTheScatterOpensItsRegionOnItsImage) {
    ui::AnalyticsPanel* panel = openWithKnownIous();
    ASSERT_TRUE(panel);
    ui::MainWindow& window = *window_;

    panel->tabs()->setCurrentIndex(1);
    QApplication::processEvents();
    QCustomPlot* scatter = panel->scatterPlot();
    scatter->replot(QCustomPlot::rpImmediateRefresh);
    const auto& regions = panel->stats().regions;
    const auto target = std::find_if(regions.begin(), regions.end(),
                                     [&](const auto& r) { return r.imageId != window.currentImageId(); });
    ASSERT_NE(target, regions.end());
    const QPoint at(
        static_cast<int>(scatter->xAxis->coordToPixel(static_cast<double>(std::max<std::uint64_t>(1, target->area)))),
        static_cast<int>(scatter->yAxis->coordToPixel(*target->iou)));
    const auto near = panel->regionNear(at);
    ASSERT_TRUE(near.has_value());
    QTest::mouseClick(scatter, Qt::LeftButton, {}, at);
    QApplication::processEvents();
    EXPECT_EQ(window.currentImageId(), near->imageId);
    ASSERT_TRUE(window.annotate()->selected().has_value());
    EXPECT_EQ(*window.annotate()->selected(), near->annotationId);
}

TEST_F(StudioAnalytics, EveryPlotExportsToPngAndPdfAndAnUnknownSuffixIsRefusedByName) {
    ui::AnalyticsPanel* panel = openWithKnownIous();
    ASSERT_TRUE(panel);

    for (int tab = 0; tab < 4; ++tab) {
        panel->tabs()->setCurrentIndex(tab);
        const QString png = QString::fromStdString(dir.file("plot" + std::to_string(tab) + ".png"));
        const QString pdf = QString::fromStdString(dir.file("plot" + std::to_string(tab) + ".pdf"));
        EXPECT_EQ(panel->exportCurrent(png), QString());
        EXPECT_EQ(panel->exportCurrent(pdf), QString());
        const QImage image(png);
        EXPECT_GE(image.width(), 800);
        std::ifstream in(pdf.toStdString(), std::ios::binary);
        std::string head(4, '\0');
        in.read(head.data(), 4);
        EXPECT_EQ(head, "%PDF");
    }
    EXPECT_TRUE(panel->exportCurrent(QString::fromStdString(dir.file("plot.bmpx"))).contains(".bmpx"));
    EXPECT_TRUE(
        panel->exportCurrent(QString::fromStdString(dir.file("no/such/folder/plot.png"))).contains("Cannot write"));
}

TEST_F(StudioAnalytics, ARegionTokenizedLaterShowsWithoutAsking) {
    ui::AnalyticsPanel* panel = openWithKnownIous();
    ASSERT_TRUE(panel);
    ui::MainWindow& window = *window_;
    auto& store = *session.storeForTests();

    const std::size_t before = panel->stats().regions.size();
    QSignalSpy refreshed(window.inspect(), &ui::InspectController::analyticsRefreshed);
    QSignalSpy tokenized(window.inference(), &ui::InferenceService::imageTokenized);
    Annotation a = store.annotationsForImage(window.currentImageId()).at(0);
    a.id = 0;
    session.apply(edit::createRegion("copy", a));
    window.inference()->tokenizeImage(session.projectPath(), window.currentImageId());
    ASSERT_TRUE(tokenized.wait(30000));
    // A refresh the new region itself started may come before its tokens (and not count it): wait for the one after.
    for (int i = 0; i < 300 && panel->stats().regions.size() != before + 1; ++i) refreshed.wait(100);
    EXPECT_EQ(panel->stats().regions.size(), before + 1);
}
