// The studio's annotation tools and edits: clicks, brush, undo, the region panel, kill -9.
#include "AnalyticsPanel.h"
#include "AnnotateController.h"
#include "CodeGrid.h"
#include "ExportDialog.h"
#include "Icons.h"
#include "ImageListModel.h"
#include "ImageView.h"
#include "InferenceService.h"
#include "InspectController.h"
#include "MainWindow.h"
#include "MaskOverlay.h"
#include "PastePanel.h"
#include "ProjectSession.h"
#include "RegionPanel.h"
#include "RegionTableModel.h"
#include "SettingsDialog.h"
#include "StudioApplication.h"
#include "StudioFixtures.h"
#include "TestMasks.h"
#include "TestPaths.h"
#include "TestStore.h"
#include "TokenExplorer.h"
#include "edit/RegionEdit.h"
#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "mask/MaskCv.h"
#include "mask/MaskMetrics.h"
#include "sample/SampleScenes.h"
#include "store/AddImages.h"
#include "store/Sqlite.h"
#include "tokens/TokenText.h"
#include "util/Error.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QIcon>
#include <QImage>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <qcustomplot.h>
#include <sqlite3.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>

using namespace samtok;

using namespace samtok::test;  // the fixtures of StudioFixtures.h
TEST(Studio, ClickAcceptPaintUndoRedoQuitAndReopen) {
    test::TempDir dir;
    QString projectPath;
    RowId clicked = 0, painted = 0;
    {
        ui::ProjectSession session;
        ASSERT_EQ(session.openSample(QString::fromStdString(dir.path().string())), QString());
        projectPath = session.projectPath();
        ui::MainWindow window(&session);
        window.resize(1200, 800);
        window.show();
        ASSERT_TRUE(modelLoaded(window));
        ui::ImageView* view = window.imageView();
        const RowId image = window.currentImageId();
        const auto before = session.storeForTests()->annotationsForImage(image);
        ASSERT_FALSE(before.empty());

        // Click the middle of an object; a candidate appears; Enter stores it.
        const Mask object = rle::decode(before[0].mask);
        QPointF target(before[0].bbox.x + before[0].bbox.width / 2.0, before[0].bbox.y + before[0].bbox.height / 2.0);
        for (int y = before[0].bbox.y;
             y < before[0].bbox.y + before[0].bbox.height && !object.at(int(target.y()), int(target.x())); ++y)
            target.setY(y);
        QSignalSpy candidate(window.annotate(), &ui::AnnotateController::candidateChanged);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, onScreen(view, target));
        ASSERT_TRUE(candidate.wait(30000));
        for (int i = 0; i < 50 && !window.annotate()->hasCandidate(); ++i) candidate.wait(200);
        ASSERT_TRUE(window.annotate()->hasCandidate());
        EXPECT_GE(window.annotate()->candidateCount(), 1);
        QSignalSpy tokenized(window.inference(), &ui::InferenceService::imageTokenized);
        QTest::keyClick(view, Qt::Key_Tab);  // the next candidate, then accept it
        QTest::keyClick(view, Qt::Key_Return);
        EXPECT_FALSE(window.annotate()->hasCandidate());
        ASSERT_EQ(countWithSource(*session.storeForTests(), AnnotationSource::Click), 1);
        ASSERT_TRUE(tokenized.wait(30000));
        for (const auto& a : session.storeForTests()->annotationsForImage(image))
            if (a.source == AnnotationSource::Click) clicked = a.id;
        ASSERT_EQ(session.storeForTests()->tokensFor(clicked).size(), 1u);  // its tokens reached the database
        EXPECT_EQ(window.regionTable()->rowCount(), static_cast<int>(before.size()) + 1);

        // Paint another region with the brush.
        window.findChild<QAction*>("toolBrush")->trigger();
        QTest::keyClick(view, Qt::Key_Escape);  // nothing selected: the stroke makes a new region
        const QPoint a = onScreen(view, {20, 20}), b = onScreen(view, {120, 60});
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, a);
        for (int i = 1; i <= 10; ++i) QTest::mouseMove(view->viewport(), a + (b - a) * i / 10);
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, b);
        ASSERT_EQ(countWithSource(*session.storeForTests(), AnnotationSource::Brush), 1);
        for (const auto& r : session.storeForTests()->annotationsForImage(image))
            if (r.source == AnnotationSource::Brush) painted = r.id;
        EXPECT_GT(session.storeForTests()->annotation(painted)->area, 1000u);

        // Undo takes the stroke back, redo brings it again, with its id.
        EXPECT_EQ(session.undoStack()->count(), 2);
        session.undoStack()->undo();
        EXPECT_FALSE(session.storeForTests()->annotation(painted));
        EXPECT_EQ(window.regionTable()->rowCount(), static_cast<int>(before.size()) + 1);
        session.undoStack()->redo();
        ASSERT_TRUE(session.storeForTests()->annotation(painted));
        EXPECT_EQ(window.regionTable()->rowCount(), static_cast<int>(before.size()) + 2);
    }
    // Quit and reopen: everything is there, and so is the history.
    ui::ProjectSession session;
    ASSERT_EQ(session.open(projectPath), QString());
    EXPECT_TRUE(session.storeForTests()->annotation(clicked));
    EXPECT_TRUE(session.storeForTests()->annotation(painted));
    EXPECT_EQ(session.storeForTests()->tokensFor(clicked).size(), 1u);
    ASSERT_EQ(session.undoStack()->count(), 2);
    EXPECT_EQ(session.undoStack()->index(), 2);
    EXPECT_EQ(session.undoStack()->undoText(), QStringLiteral("Brush stroke"));
    session.undoStack()->undo();
    session.undoStack()->undo();
    EXPECT_FALSE(session.storeForTests()->annotation(painted));
    EXPECT_FALSE(session.storeForTests()->annotation(clicked));
    session.undoStack()->redo();
    EXPECT_TRUE(session.storeForTests()->annotation(clicked));
    EXPECT_EQ(session.storeForTests()->tokensFor(clicked).size(), 1u);  // its tokens came back with it
}

TEST(Studio, ASecondWindowOnTheSameProjectIsRefusedWithAReason) {
    test::TempDir dir;
    ui::ProjectSession first;
    ASSERT_EQ(first.openSample(QString::fromStdString(dir.path().string())), QString());
    ui::ProjectSession second;
    const QString err = second.open(first.projectPath());
    EXPECT_TRUE(err.contains("already open in another SAMTok Studio")) << err.toStdString();
    EXPECT_FALSE(second.isOpen());
    first.close();
    EXPECT_EQ(
        second.open(first.projectPath().isEmpty() ? QString::fromStdString((dir.path() / "sample.samtok").string())
                                                  : first.projectPath()),
        QString());
}

// The child of the next test: a real window painting regions until it is killed.
TEST(StudioCrashChild, PaintsUntilKilled) {
    const char* project = std::getenv("SAMTOK_STUDIO_CRASH_PROJECT");
    if (!project) GTEST_SKIP() << "runs only as the child process of Studio.KillNineLosesNoSavedEdit";
    ui::ProjectSession session;
    ASSERT_EQ(session.open(QString::fromLocal8Bit(project)), QString());
    ui::MainWindow window(&session);
    window.resize(1000, 700);
    window.show();
    window.findChild<QAction*>("toolBrush")->trigger();
    ui::ImageView* view = window.imageView();
    for (int i = 0;; ++i) {
        QTest::keyClick(view, Qt::Key_Escape);
        const QPoint a = view->mapFromScene(QPointF(10 + (i * 37) % 500, 10 + (i * 53) % 400));
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, a);
        QTest::mouseMove(view->viewport(), a + QPoint(30, 10));
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, a + QPoint(30, 10));
        QApplication::processEvents();
        if (i % 3 == 2) session.undoStack()->undo();  // some undone steps in the history too
    }
}

TEST(Studio, KillNineLosesNoSavedEdit) {
    test::TempDir dir;
    QString path;
    {
        ui::ProjectSession s;
        ASSERT_EQ(s.openSample(QString::fromStdString(dir.path().string())), QString());
        path = s.projectPath();
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("SAMTOK_STUDIO_CRASH_PROJECT", path.toLocal8Bit().constData(), 1);
        ::execl("/proc/self/exe", "samtok_studio_tests", "--gtest_filter=StudioCrashChild.PaintsUntilKilled",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::int64_t painted = 0;
    for (int i = 0; i < 1200 && painted < 8; ++i) {  // up to 2 minutes
        ::usleep(100000);
        try {
            painted = countWithSource(ProjectStore::open(path.toStdString()), AnnotationSource::Brush);
        } catch (const std::exception&) {  // busy for a moment: try again
        }
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ASSERT_GE(painted, 8) << "the child never painted";

    ui::ProjectSession session;
    ASSERT_EQ(session.open(path), QString());  // the dead studio's lock does not keep the project closed
    ProjectStore& store = *session.storeForTests();
    EXPECT_EQ(store.integrityCheck(), "ok");
    // Every stroke the history says is done is in the project, and nothing else.
    std::int64_t done = 0;
    for (const auto& e : store.edits()) done += !e.undone && e.label == "Brush stroke";
    EXPECT_EQ(countWithSource(store, AnnotationSource::Brush), done);
    ASSERT_GT(session.undoStack()->count(), 0);
    while (session.undoStack()->canUndo()) session.undoStack()->undo();
    EXPECT_EQ(countWithSource(store, AnnotationSource::Brush), 0);
}

TEST_F(StudioSample, TheRegionPanelEditsTextAsOneUndoableStep) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    const auto regions = session.storeForTests()->annotationsForImage(window.currentImageId());
    ASSERT_FALSE(regions.empty());
    const RowId id = regions[0].id;
    window.annotate()->select(id);
    ui::RegionPanel* panel = window.regionPanel();
    ASSERT_TRUE(panel->captionEdit()->isEnabled());
    panel->captionEdit()->setFocus();
    panel->captionEdit()->setText("a small blue box");
    QTest::keyClick(panel->captionEdit(), Qt::Key_Return);
    EXPECT_EQ(session.storeForTests()->annotation(id)->caption, "a small blue box");
    QTest::keyClicks(panel->expressionEdit(), "the box at the bottom left");
    QTest::keyClick(panel->expressionEdit(), Qt::Key_Return);
    EXPECT_EQ(session.storeForTests()->referringExpressions(id),
              std::vector<std::string>{"the box at the bottom left"});
    // Letters typed into the panel are text, not tool shortcuts.
    EXPECT_TRUE(window.findChild<QAction*>("toolClick")->isChecked());
    session.undoStack()->undo();
    EXPECT_TRUE(session.storeForTests()->referringExpressions(id).empty());
    EXPECT_EQ(session.storeForTests()->annotation(id)->caption, "a small blue box");
    session.undoStack()->undo();
    EXPECT_EQ(session.storeForTests()->annotation(id)->caption, "");
}

// Closing the window while a caption is still being typed (no Enter yet) saves it: hiding the
// window takes the focus, and the field commits while the window is whole. Its teardown then
// runs no edit on itself (a focus-out once reached a half-destroyed window: heap corruption).
TEST_F(StudioSample, ClosingTheWindowKeepsTheCaptionBeingTyped) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    const RowId id = session.storeForTests()->annotationsForImage(window.currentImageId()).at(0).id;
    window.annotate()->select(id);
    ui::RegionPanel* panel = window.regionPanel();
    window.activateWindow();
    panel->captionEdit()->setFocus();
    QTest::keyClicks(panel->captionEdit(), "typed, never entered");
    window.close();
    EXPECT_EQ(session.storeForTests()->annotation(id)->caption, "typed, never entered");
    window_.reset();
    EXPECT_EQ(session.undoStack()->count(), 1);
}

TEST_F(StudioSample, ImagesFilterByClassAndTakeTheStatusTheAnnotatorGives) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    auto* classes = window.findChild<QComboBox*>("classFilter");
    ASSERT_TRUE(classes);
    ASSERT_GT(classes->count(), 1);
    classes->setCurrentIndex(1);
    emit classes->activated(1);
    const RowId cls = classes->itemData(1).toLongLong();
    EXPECT_EQ(window.filterModel()->rowCount(), static_cast<int>(session.storeForTests()->imagesWithClass(cls).size()));
    EXPECT_LT(window.filterModel()->rowCount(), 12);
    classes->setCurrentIndex(0);
    emit classes->activated(0);
    EXPECT_EQ(window.filterModel()->rowCount(), 12);

    const RowId image = window.currentImageId();
    window.findChild<QAction*>("actionMarkReviewed")->trigger();
    EXPECT_EQ(session.storeForTests()->image(image)->status, ImageStatus::Reviewed);
    window.filterModel()->setStatusFilter(static_cast<int>(ImageStatus::Reviewed));
    EXPECT_GE(window.filterModel()->rowCount(), 1);
}

TEST(Studio, AnImportIsOneStepThatUndoRemovesAndRedoRestores) {
    test::TempDir dir;
    ui::ProjectSession session;
    ASSERT_EQ(session.create(QString::fromStdString(dir.file("p.samtok")), "p"), QString());
    ui::MainWindow window(&session);
    window.show();
    const auto examples = samtok::test::sharedDir() / "data/labelme-examples/examples/instance_segmentation";
    const QString summary =
        session.importAnnotations("labelme", QString::fromStdString((examples / "data_annotated").string())).summary;
    EXPECT_TRUE(summary.startsWith("Imported")) << summary.toStdString();
    const auto imported = session.storeForTests()->annotationCount();
    ASSERT_GT(imported, 10);
    EXPECT_EQ(session.undoStack()->count(), 1);
    EXPECT_EQ(window.filterModel()->rowCount(), 3);  // the new images are listed
    session.undoStack()->undo();
    EXPECT_EQ(session.storeForTests()->annotationCount(), 0);
    EXPECT_EQ(session.storeForTests()->imageCount(), 3);  // images stay
    session.undoStack()->redo();
    EXPECT_EQ(session.storeForTests()->annotationCount(), imported);
    const auto failed = session.importAnnotations("coco", QString::fromStdString(dir.file("missing.json")));
    EXPECT_TRUE(failed.summary.isEmpty());
    EXPECT_TRUE(failed.error.contains("missing.json")) << failed.error.toStdString();
    EXPECT_EQ(session.undoStack()->count(), 1);  // a failed import leaves no step
}

TEST_F(StudioSample, TheSelectToolHighlightsTheRegionUnderTheCursorAndPicksIt) {
    ASSERT_TRUE(openSample({1200, 800}));
    ui::MainWindow& window = *window_;
    window.findChild<QAction*>("toolSelect")->trigger();
    ui::ImageView* view = window.imageView();
    const auto regions = session.storeForTests()->annotationsForImage(window.currentImageId());
    ASSERT_FALSE(regions.empty());
    // A pixel of the first region that no smaller region covers.
    const Mask m = rle::decode(regions[0].mask);
    QPointF inside;
    for (int y = 0; y < m.height() && inside.isNull(); ++y)
        for (int x = 0; x < m.width(); ++x)
            if (m.at(y, x) && m.at(std::min(y + 2, m.height() - 1), x)) {
                inside = QPointF(x + 0.5, y + 2.5);
                break;
            }
    EXPECT_FALSE(view->hasHover());
    QTest::mouseMove(view->viewport(), view->mapFromScene(inside));
    EXPECT_TRUE(view->hasHover());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(inside));
    ASSERT_TRUE(window.annotate()->selected().has_value());
    QTest::mouseMove(view->viewport(), view->mapFromScene(QPointF(1, 1)));  // the background corner
    bool covered = false;
    for (const auto& r : regions) covered = covered || rle::decode(r.mask).at(1, 1);
    EXPECT_EQ(view->hasHover(), covered);
}

// A project file damaged on disk: a region whose stored mask no longer
// decodes is named in the status bar, the image's other regions still show,
// and picking with the Select tool over the image does not end the program.
TEST_F(StudioSample, ADamagedRegionIsNamedAndTheOthersStillShowAndPick) {
    ASSERT_TRUE(openSample({1200, 800}));
    ui::MainWindow& window = *window_;
    const auto* app = qobject_cast<ui::StudioApplication*>(QCoreApplication::instance());
    const int errorsBefore = app->errorCount();  // none may escape a handler here
    const RowId image = window.currentImageId();
    const auto regions = session.storeForTests()->annotationsForImage(image);
    ASSERT_GE(regions.size(), 2u);
    {
        sql::Database raw(session.storeForTests()->path(), SQLITE_OPEN_READWRITE);
        raw.exec("UPDATE annotations SET rle_counts = '!!' WHERE id = " + std::to_string(regions[0].id));
    }
    window.nextImage();
    window.previousImage();
    ASSERT_EQ(window.currentImageId(), image);
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.statusMessage().contains("damaged"); }, 10000))
        << window.statusMessage().toStdString();
    const QString status = window.statusMessage();
    EXPECT_TRUE(status.contains(QStringLiteral("1 damaged, not shown"))) << status.toStdString();
    EXPECT_EQ(window.findChild<QTreeView*>("annotations")->model()->rowCount(), static_cast<int>(regions.size()) - 1);

    window.findChild<QAction*>("toolSelect")->trigger();
    ui::ImageView* view = window.imageView();
    const Mask m = rle::decode(regions[1].mask);
    QPointF inside;
    for (int y = 0; y < m.height() && inside.isNull(); ++y)
        for (int x = 0; x < m.width(); ++x)
            if (m.at(y, x)) {
                inside = QPointF(x + 0.5, y + 0.5);
                break;
            }
    QTest::mouseMove(view->viewport(), view->mapFromScene(inside));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(inside));
    ASSERT_TRUE(window.annotate()->selected().has_value());
    EXPECT_EQ(app->errorCount(), errorsBefore) << app->lastError().toStdString();
}
