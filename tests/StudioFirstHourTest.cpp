// What a new annotator tripped over in the studio's first hour (issue 29), each
// as the user meets it: keys, panels, focus, the region just accepted, colours,
// image status, silent omissions.
#include "AnalyticsPanel.h"
#include "AnnotateController.h"
#include "ImageListModel.h"
#include "InferenceService.h"
#include "InspectController.h"
#include "KeyboardHelp.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "RegionPanel.h"
#include "StudioFixtures.h"
#include "StudioStatusBar.h"
#include "TestPaths.h"
#include "ThumbnailCache.h"
#include "TokenExplorer.h"
#include "edit/RegionEdit.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QInputDialog>
#include <QListView>
#include <QMainWindow>
#include <QMessageBox>
#include <QProcess>
#include <QProcessEnvironment>
#include <QProgressBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabBar>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <qcustomplot.h>

#include <filesystem>
#include <fstream>

using namespace samtok;
using namespace samtok::test;

namespace {

QAction* action(QWidget& window, const char* name) {
    auto* a = window.findChild<QAction*>(name);
    EXPECT_NE(a, nullptr) << name;
    return a;
}

// The tab of a tabbed dock that is in front.
bool inFront(QMainWindow& window, QDockWidget* dock) {
    for (QTabBar* bar : window.findChildren<QTabBar*>())
        for (int i = 0; i < bar->count(); ++i)
            if (bar->tabText(i) == dock->windowTitle()) return bar->currentIndex() == i;
    return dock->isVisible();  // not tabbed
}

}  // namespace

TEST(StudioFirstHour, NoTwoActionsShareAKey) {
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    EXPECT_EQ(ui::shortcutClashes(&window).join("; ").toStdString(), "");
    EXPECT_FALSE(action(window, "actionZoomOut")->shortcut().isEmpty());
    EXPECT_FALSE(action(window, "actionPolygonSubtracts")->shortcut().isEmpty());
}

TEST_F(StudioSample, TheViewMenuOpensAPanelAndBringsItToTheFront) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    QAction* explorer = action(window, "actionTokenExplorer");
    explorer->trigger();
    QApplication::processEvents();
    EXPECT_TRUE(window.explorerDock()->isVisible());
    EXPECT_TRUE(inFront(window, window.explorerDock()));
    explorer->trigger();  // again: stays open, never hides it
    QApplication::processEvents();
    EXPECT_TRUE(window.explorerDock()->isVisible());
    window.analyticsDock()->close();
    action(window, "actionAnalytics")->trigger();
    QApplication::processEvents();
    EXPECT_TRUE(window.analyticsDock()->isVisible());
}

TEST_F(StudioSample, ToolKeysStillReachTheCanvasAfterAPanelControl) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    QApplication::setActiveWindow(&window);
    window.imageView()->setFocus();
    auto* compare = window.regionPanel()->findChild<QComboBox*>();
    ASSERT_NE(compare, nullptr);
    QTest::mouseClick(compare, Qt::LeftButton);
    QTest::keyClick(compare, Qt::Key_Escape);  // closes the popup, if any
    QWidget* focus = QApplication::focusWidget();
    ASSERT_NE(focus, nullptr);
    QTest::keyClick(focus, Qt::Key_B);
    EXPECT_TRUE(action(window, "toolBrush")->isChecked()) << "B went to " << focus->metaObject()->className();
}

TEST_F(StudioSample, TheRegionAcceptedWithEnterIsSelectedForItsClassAndCaption) {
    ASSERT_TRUE(openSample({1200, 800}));
    ui::MainWindow& window = *window_;
    ui::ImageView* view = window.imageView();
    QSignalSpy candidate(window.annotate(), &ui::AnnotateController::candidateChanged);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, onScreen(view, {200, 150}));
    for (int i = 0; i < 150 && !window.annotate()->hasCandidate(); ++i) candidate.wait(200);
    ASSERT_TRUE(window.annotate()->hasCandidate());
    // The keys come before the timings, which a narrow status bar cuts off.
    const QString info = candidate.last().at(1).toString();
    EXPECT_TRUE(info.startsWith("Candidate 1/")) << info.toStdString();
    EXPECT_LT(info.indexOf("Enter accepts"), info.indexOf(" ms")) << info.toStdString();
    const RowId before = session.storeForTests()->lastAnnotationId();
    QTest::keyClick(view, Qt::Key_Return);
    const RowId created = session.storeForTests()->lastAnnotationId();
    ASSERT_GT(created, before);
    ASSERT_TRUE(window.annotate()->selected().has_value());
    EXPECT_EQ(*window.annotate()->selected(), created);
}

TEST_F(StudioSample, RegionsWithoutAClassHaveAColourEachAndClassesKeepTheirs) {
    ASSERT_TRUE(openSample());
    Annotation a, b, c;
    a.id = 1, b.id = 2, c.id = 3;
    c.classId = session.classes().at(0).id;
    EXPECT_NE(session.regionColor(a), session.regionColor(b));
    EXPECT_EQ(session.regionColor(c), session.classColor(c.classId));
}

TEST_F(StudioSample, AnImagesFirstRegionMarksItInProgressAndShiftDSkipsFinishedImages) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    ProjectStore& store = *session.storeForTests();
    const auto images = store.images();
    ASSERT_GE(images.size(), 4u);
    // The last image, emptied and unlabelled: its first region moves it to in progress.
    for (const auto& a : store.annotationsForImage(images.back().id))
        session.apply(edit::deleteRegion(store, "clear", a.id));
    store.setImageStatus(images.back().id, ImageStatus::Unlabelled);
    Annotation a;
    a.imageId = images.back().id;
    Mask m(images.back().height, images.back().width);
    m.set(5, 5, true);
    a.mask = rle::encode(m);
    ASSERT_EQ(session.apply(edit::createRegion("one", a)).size(), 1u);
    EXPECT_EQ(store.image(images.back().id)->status, ImageStatus::InProgress);
    // Every image but the third is done: Shift+D goes to the third, from anywhere.
    for (const auto& im : store.images()) session.setImageStatus(im.id, ImageStatus::Done);
    session.setImageStatus(images[2].id, ImageStatus::Unlabelled);
    action(window, "actionNextImageNeedingWork")->trigger();
    EXPECT_EQ(window.currentImageId(), images[2].id);
    session.setImageStatus(images[2].id, ImageStatus::Reviewed);
    const RowId at = window.currentImageId();
    action(window, "actionNextImageNeedingWork")->trigger();
    EXPECT_EQ(window.currentImageId(), at) << "nothing needs work: the image stays";
}

TEST_F(StudioSample, AChosenCheckpointThatFailsToLoadGetsADialogEvenWithAModelLoaded) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    const std::string jpeg = dir.file("photo.jpg");
    std::ofstream(jpeg, std::ios::binary) << "\xff\xd8\xff\xe0 not really a checkpoint";
    QString title;
    QTimer watch;
    QObject::connect(&watch, &QTimer::timeout, [&] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            title = box->text() + " " + box->informativeText();
            box->close();
        }
    });
    watch.start(50);
    QSignalSpy failed(window.inference(), &ui::InferenceService::modelFailed);
    window.loadModelFile(QString::fromStdString(jpeg));
    ASSERT_TRUE(failed.wait(30000));
    for (int i = 0; i < 20 && title.isEmpty(); ++i) QTest::qWait(50);
    EXPECT_TRUE(title.contains("photo.jpg")) << "no dialog named the file: '" << title.toStdString() << "'";
    EXPECT_TRUE(window.inference()->hasModel()) << "the model that was loaded stays";
}

TEST(StudioFirstHour, HelpAndVersionNeedNoDisplayAndNoDisplayIsOneLine) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(name);
    auto run = [&](const QStringList& args) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(SAMTOK_STUDIO, args);
        EXPECT_TRUE(p.waitForFinished(30000));
        return std::make_pair(p.exitCode() + (p.exitStatus() == QProcess::CrashExit ? 1000 : 0),
                              QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()));
    };
    const auto help = run({"--help"});
    EXPECT_EQ(help.first, 0) << help.second.toStdString();
    EXPECT_TRUE(help.second.contains("--sample")) << help.second.toStdString();
    const auto version = run({"--version"});
    EXPECT_EQ(version.first, 0);
    const auto gui = run({});
    EXPECT_EQ(gui.first, 1) << gui.second.toStdString();
    EXPECT_TRUE(gui.second.contains("no display")) << gui.second.toStdString();
}

TEST(StudioFirstHour, PortraitAndLandscapeThumbnailsHaveOneSizeSoNamesLineUp) {
    TempDir dir;
    cv::imwrite(dir.file("tall.png"), cv::Mat(300, 100, CV_8UC3, cv::Scalar(0, 0, 255)));
    cv::imwrite(dir.file("wide.png"), cv::Mat(100, 300, CV_8UC3, cv::Scalar(0, 255, 0)));
    ui::ThumbnailCache cache(40);
    QSignalSpy ready(&cache, &ui::ThumbnailCache::ready);
    cache.thumbnail(1, QString::fromStdString(dir.file("tall.png")));
    cache.thumbnail(2, QString::fromStdString(dir.file("wide.png")));
    for (int i = 0; i < 100 && ready.count() < 2; ++i) ready.wait(100);
    const QPixmap tall = cache.thumbnail(1, {}), wide = cache.thumbnail(2, {});
    ASSERT_FALSE(tall.isNull());
    EXPECT_EQ(tall.size(), wide.size());
    EXPECT_EQ(tall.size(), QSize(53, 40));
    // The photo is inside, not stretched: the tall one leaves transparent margins at its sides.
    EXPECT_EQ(qAlpha(tall.toImage().pixel(1, 20)), 0);
    EXPECT_EQ(QColor(tall.toImage().pixel(26, 20)), QColor(255, 0, 0));
}

TEST_F(StudioSample, TheWindowFitsA1280By720ScreenAndTheImageListStaysReadable) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
    EXPECT_LE(least.width(), 1280);
    EXPECT_LE(least.height(), 720 - 40) << "room for a title bar and a panel";
    window.resize(1280, 680);
    QApplication::processEvents();
    EXPECT_EQ(window.size(), QSize(1280, 680));
    EXPECT_GE(window.imageList()->width(), 150) << "the image list was squeezed";
}

TEST(StudioFirstHour, PlotsKeepTheUiFontAndALegendOfTenClassesAndCountsOnThePairScale) {
    analytics::TokenStats stats;
    stats.codebookSize = 256;
    stats.pairUsage.assign(256 * 256, 0);
    std::map<std::optional<RowId>, ui::ClassStyle> classes;
    for (int c = 1; c <= 30; ++c) {
        classes[c] = {QStringLiteral("class %1").arg(c), QColor::fromHsv(c * 12, 200, 220)};
        for (int i = 0; i < c; ++i) {  // class c has c regions: the legend keeps the ten largest
            analytics::RegionTokenStat r;
            r.annotationId = c * 100 + i;
            r.imageId = 1;
            r.classId = c;
            r.area = 100 + i;
            r.c0 = c, r.c1 = i;
            r.iou = 0.5 + 0.01 * i;
            stats.regions.push_back(r);
            stats.pairUsage[static_cast<std::size_t>(c * 256 + i)] = 1;  // every pair used once
        }
    }
    ui::AnalyticsPanel panel;
    panel.resize(700, 330);
    panel.setStats(stats, classes, "m", 0.75);
    QCustomPlot* histogram = panel.histogramPlot();
    EXPECT_EQ(histogram->legend->font().family(), QApplication::font().family());
    int entries = 0;
    bool more = false;
    for (int i = 0; i < histogram->legend->elementCount(); ++i) {
        if (qobject_cast<QCPAbstractLegendItem*>(histogram->legend->elementAt(i))) ++entries;
        if (auto* t = qobject_cast<QCPTextElement*>(histogram->legend->elementAt(i))) more = t->text().contains("20");
    }
    EXPECT_EQ(entries, 10);
    EXPECT_TRUE(more) << "no line says that 20 more classes are left out of the legend";
    // Every pair is used once: the colour scale reads 0 and 1 (regions), not 0 to 0.3 (logs).
    QCPColorScale* scale = nullptr;
    for (int i = 0; i < panel.pairPlot()->plotLayout()->elementCount(); ++i)
        if (auto* s = qobject_cast<QCPColorScale*>(panel.pairPlot()->plotLayout()->elementAt(i))) scale = s;
    ASSERT_NE(scale, nullptr);
    auto ticker = scale->axis()->ticker().dynamicCast<QCPAxisTickerText>();
    ASSERT_TRUE(ticker);
    QStringList labels;
    for (const QString& l : ticker->ticks()) labels << l;
    EXPECT_EQ(labels.join(",").toStdString(), "0,1");
}

TEST_F(StudioSample, FileExportsCocoLabelMeAndYoloAsTheCliDoes) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    for (const char* name : {"actionExportCoco", "actionExportLabelMe", "actionExportYolo"})
        EXPECT_TRUE(action(window, name)->isEnabled()) << name;
    std::size_t regions = 0;
    for (const auto& im : session.storeForTests()->images())
        regions += session.storeForTests()->annotationsForImage(im.id).size();
    const auto coco = session.exportAnnotations("coco", QString::fromStdString(dir.file("out/instances.json")));
    ASSERT_TRUE(coco.error.isEmpty()) << coco.error.toStdString();
    std::ifstream in(dir.file("out/instances.json"));
    const auto json = nlohmann::json::parse(in);
    EXPECT_EQ(json.at("annotations").size(), regions);
    EXPECT_TRUE(coco.summary.contains(QString::number(regions))) << coco.summary.toStdString();
    ASSERT_TRUE(session.exportAnnotations("labelme", QString::fromStdString(dir.file("labelme"))).error.isEmpty());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("labelme")), {}),
              static_cast<long>(session.storeForTests()->imageCount()));
    ASSERT_TRUE(session.exportAnnotations("yolo", QString::fromStdString(dir.file("yolo"))).error.isEmpty());
    EXPECT_TRUE(std::filesystem::exists(dir.file("yolo/classes.txt")));
    const auto bad = session.exportAnnotations("coco", "/proc/no-such-dir/x.json");
    EXPECT_FALSE(bad.error.isEmpty());
}

TEST_F(StudioSample, AnOpenTokenExplorerDrawsNoPairUntilOneIsChosen) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    QSignalSpy decoded(window.inspect(), &ui::InspectController::explorerDecoded);
    action(window, "actionTokenExplorer")->trigger();  // visible: pair (0, 0) is decoded for the panel
    ASSERT_TRUE(decoded.wait(30000));
    EXPECT_FALSE(window.imageView()->hasCandidate()) << "an unrequested pair was drawn on the image";
    window.tokenExplorer()->setPair({3, 4});
    for (int i = 0; i < 100 && !window.imageView()->hasCandidate(); ++i) decoded.wait(100);
    EXPECT_TRUE(window.imageView()->hasCandidate()) << "the chosen pair is drawn";
}

TEST_F(StudioSample, ThePolygonToolMovesAVertexOfAPolygonRegionAsOneUndoableStep) {
    ASSERT_TRUE(openSample({1200, 800}));
    ui::MainWindow& window = *window_;
    ui::ImageView* view = window.imageView();
    QTest::keyClick(view, Qt::Key_Escape);  // nothing selected: the polygon makes a new region
    action(window, "toolPolygon")->trigger();
    const QPolygonF square{{100, 100}, {200, 100}, {200, 200}, {100, 200}};
    const RowId last = session.storeForTests()->lastAnnotationId();
    view->polygonFinished(square);  // as a double-click closes it
    const RowId id = session.storeForTests()->lastAnnotationId();
    ASSERT_GT(id, last);
    window.annotate()->select(id);  // with the Select tool, or in the list
    const auto before = *session.storeForTests()->annotation(id);
    ASSERT_EQ(before.polygon.size(), 4u);
    QApplication::processEvents();
    ASSERT_EQ(view->editablePolygon().size(), 4) << "its vertices are handles for the Polygon tool";
    // Drag the third vertex from (200, 200) to (260, 240).
    const int steps = session.undoStack()->count();
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, onScreen(view, {200, 200}));
    for (int i = 1; i <= 6; ++i)
        QTest::mouseMove(view->viewport(), onScreen(view, {200.0 + 10 * i, 200.0 + 40 * i / 6.0}));
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, onScreen(view, {260, 240}));
    const auto after = *session.storeForTests()->annotation(id);
    EXPECT_GT(after.area, before.area);
    EXPECT_NEAR(after.polygon[2][0], 260, 2);
    EXPECT_NEAR(after.polygon[2][1], 240, 2);
    EXPECT_EQ(session.undoStack()->count(), steps + 1) << "one step";
    session.undoStack()->undo();
    const auto undone = *session.storeForTests()->annotation(id);
    EXPECT_EQ(undone.area, before.area);
    EXPECT_EQ(undone.polygon, before.polygon);
}

TEST_F(StudioSample, TheSmallThingsNamesTitlesSheetsAndCounts) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    // The dock's tab shows its title as written (an "&" would be a mnemonic there).
    const auto* paste = window.findChild<QDockWidget*>("pasteDock");
    ASSERT_NE(paste, nullptr);
    EXPECT_FALSE(paste->windowTitle().contains('&')) << paste->windowTitle().toStdString();
    // "Tokenizing 12345/12345" fits its bar.
    for (QProgressBar* bar : window.findChildren<QProgressBar*>())
        if (bar->format().startsWith("Tokenizing"))
            EXPECT_GE(bar->minimumWidth(), bar->fontMetrics().horizontalAdvance("Tokenizing 12345/12345"));
    // Help > Keyboard and Mouse scrolls inside a window no taller than the screen.
    int sheetHeight = 0;
    bool scrolls = false;
    QTimer::singleShot(200, [&] {
        if (QWidget* w = QApplication::activeModalWidget()) {
            sheetHeight = w->height();
            scrolls = w->findChild<QTextBrowser*>() != nullptr;
            w->close();
        }
    });
    window.showCheatSheet();
    EXPECT_TRUE(scrolls);
    EXPECT_GT(sheetHeight, 0);
    EXPECT_LE(sheetHeight, window.screen()->availableGeometry().height());
    // New Class shows its title in full.
    int dialogWidth = 0;
    QTimer::singleShot(200, [&] {
        if (auto* d = qobject_cast<QInputDialog*>(QApplication::activeModalWidget())) {
            dialogWidth = d->width();
            d->reject();
        }
    });
    window.classBox()->setCurrentIndex(window.classBox()->count() - 1);
    window.classBox()->activated(window.classBox()->count() - 1);
    EXPECT_GE(dialogWidth, 380);
    // One region is "1 region(s)", never "1 regions".
    EXPECT_FALSE(window.analyticsPanel()->summary().contains(" regions "))
        << window.analyticsPanel()->summary().toStdString();
}

TEST(StudioFirstHour, ANewImageClearsTheSheetAndOneBusyBarShowsAtATime) {
    ui::TokenExplorer explorer;
    explorer.startSheet(2);
    explorer.addSheetThumbnails(0, {Mask(4, 4), Mask(4, 4)}, {0.5f, 0.6f});
    ASSERT_EQ(explorer.sheetCount(), 2);
    explorer.setSheetBase(QImage(8, 8, QImage::Format_RGB888));  // another image
    EXPECT_EQ(explorer.sheetCount(), 0) << "the previous image's thumbnails stayed";

    QMainWindow window;
    ui::InferenceService inference;
    ui::ImageView view;
    ui::StudioStatusBar status(window.statusBar(), &inference, &view);
    status.setCurrentImage(7);
    auto busyBars = [&] {
        int n = 0;
        for (QProgressBar* bar : window.statusBar()->findChildren<QProgressBar*>()) n += !bar->isHidden();
        return n;
    };
    emit inference.embeddingStarted(7);
    EXPECT_EQ(busyBars(), 1);
    emit inference.embeddingFinished(7, 12.0);
    status.startTokenizing();
    emit inference.embeddingStarted(7);  // a click waits for the embedding while the project tokenizes
    EXPECT_EQ(busyBars(), 1) << "two progress bars and two Cancel buttons";
    EXPECT_TRUE(status.toolHint().contains("embedding")) << status.toolHint().toStdString();
}
