// The studio's main window on a real project, driven as a user would.
#include "AnnotateController.h"
#include "ExportDialog.h"
#include "Icons.h"
#include "ImageListModel.h"
#include "ImageView.h"
#include "InferenceService.h"
#include "MainWindow.h"
#include "MaskOverlay.h"
#include "PastePanel.h"
#include "AnalyticsPanel.h"
#include "CodeGrid.h"
#include "InspectController.h"
#include "TokenExplorer.h"
#include "io/ImageIO.h"
#include "edit/RegionEdit.h"
#include "store/Sqlite.h"
#include "util/Error.h"
#include "mask/MaskCv.h"
#include "RegionPanel.h"
#include "RegionTableModel.h"
#include "StudioApplication.h"
#include "ProjectSession.h"
#include "TestMasks.h"
#include "StudioFixtures.h"
#include "TestPaths.h"
#include "TestStore.h"
#include "sample/SampleScenes.h"
#include "store/AddImages.h"
#include "tokens/TokenText.h"
#include "mask/CocoRle.h"
#include "mask/MaskMetrics.h"

#include <QApplication>
#include <QIcon>
#include <QImage>
#include <QLineEdit>
#include <QListView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QMessageBox>
#include <QTreeView>
#include <sqlite3.h>
#include <QUndoStack>
#include <QAction>
#include <QDockWidget>
#include <QProcess>
#include <QTabWidget>
#include <qcustomplot.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include "SettingsDialog.h"

#include <gtest/gtest.h>
#include <QTableWidget>
#include <csignal>
#include <sys/wait.h>
#include <memory>

#include <unistd.h>

using namespace samtok;

namespace {

using test::modelLoaded;
using test::StudioSample;
using test::tokenizedAll;

}  // namespace

TEST(Studio, OverlayPaintsEveryMaskPixelInItsClassColour) {
    Mask m(4, 6);
    for (int y = 1; y < 4; ++y)
        for (int x = 2; x < 6; ++x) m.set(y, x, true);
    const QImage overlay = ui::renderOverlay({{rle::encode(m), QColor(255, 0, 0)}}, 6, 4);
    int painted = 0;
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x) {
            const QRgb px = overlay.pixel(x, y);
            EXPECT_EQ(qAlpha(px) > 0, m.at(y, x) == 1) << x << "," << y;
            if (qAlpha(px) > 0) {
                ++painted;
                EXPECT_GT(qRed(px), 0);
                EXPECT_EQ(qGreen(px), 0);
            }
        }
    EXPECT_EQ(painted, 12);
}

TEST_F(StudioSample, OpensTheSampleProjectAndBrowsesItsImages) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    // Reopen through the window, as File > Open Recent does.
    window.openProjectFile(session.projectPath());
    QApplication::processEvents();

    ASSERT_EQ(window.filterModel()->rowCount(), 12);
    ASSERT_TRUE(window.imageView()->hasImage());
    EXPECT_EQ(window.imageView()->imageSize(), QSize(640, 480));
    const RowId first = window.currentImageId();
    EXPECT_EQ(window.regionTable()->rowCount(),
              static_cast<int>(session.storeForTests()->annotationsForImage(first).size()));
    EXPECT_GT(window.regionTable()->rowCount(), 0);

    // D goes to the next image, A comes back.
    window.nextImage();
    EXPECT_NE(window.currentImageId(), first);
    window.previousImage();
    EXPECT_EQ(window.currentImageId(), first);

    // Filters narrow the list.
    window.filterModel()->setNameFilter("scene_01");
    EXPECT_EQ(window.filterModel()->rowCount(), 3);  // scene_010..012
    window.filterModel()->setNameFilter("");
    window.filterModel()->setStatusFilter(static_cast<int>(ImageStatus::Done));
    EXPECT_EQ(window.filterModel()->rowCount(), static_cast<int>(session.storeForTests()->images({ImageStatus::Done, {}}).size()));
}

TEST(Studio, LoadsTheEmbeddedModelInTheBackgroundAndShowsIt) {
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    ASSERT_TRUE(modelLoaded(window));
    EXPECT_TRUE(window.inference()->model().canTokenize);
    EXPECT_TRUE(window.inference()->model().isDefault);
    EXPECT_TRUE(window.statusMessage().contains("samtok-micro")) << window.statusMessage().toStdString();
    EXPECT_TRUE(window.statusMessage().contains(window.inference()->model().sha256.left(8)));
}

TEST(Studio, TheModelLoadsInThePrecisionTheSettingsName) {
    QSettings().setValue("inference/precision", "bf16");
    {
        ui::ProjectSession session;
        ui::MainWindow window(&session);
        ASSERT_TRUE(modelLoaded(window));
        EXPECT_EQ(window.inference()->model().precision, "bf16");
    }
    QSettings().remove("inference/precision");
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    ASSERT_TRUE(modelLoaded(window));
    EXPECT_EQ(window.inference()->model().precision, "fp32");
}

TEST_F(StudioSample, TokenizesTheProjectOnTheWorkerAndShowsTheTokens) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    ASSERT_GT(window.regionTable()->rowCount(), 0);
    EXPECT_EQ(window.regionTable()->index(0, 3).data().toString(), QStringLiteral("—"));

    QSignalSpy done(&window, &ui::MainWindow::tokenizingFinished);
    window.tokenizeProject();
    ASSERT_TRUE(done.wait(120000));
    auto cell = [&](int column) { return window.regionTable()->index(0, column).data().toString(); };
    EXPECT_TRUE(cell(3).startsWith("<|mt_start|><|mt_")) << cell(3).toStdString();
    EXPECT_TRUE(cell(3).endsWith("<|mt_end|>"));
    bool ok = false;
    const double iou = cell(2).toDouble(&ok);
    EXPECT_TRUE(ok);
    EXPECT_GE(iou, 0.0);
    EXPECT_LE(iou, 1.0);
    // Every annotation of the project now has tokens, written by the worker's own connection.
    const RowId annotation = cell(0).toLongLong();
    EXPECT_EQ(session.storeForTests()->tokensFor(annotation).size(), 1u);
}

// A new user's first look at the sample shows tokens without knowing Model ▸
// Tokenize Project; opening it again (or any other project) tokenizes nothing unasked.
TEST(Studio, TheSampleIsTokenizedWhenFirstRenderedAndNotWhenReopened) {
    test::TempDir dir;
    const QString folder = QString::fromStdString(dir.path().string());
    {
        ui::ProjectSession session;
        ui::MainWindow window(&session);
        window.show();
        QSignalSpy done(&window, &ui::MainWindow::tokenizingFinished);
        window.openSampleProject(folder);  // before the model is ready: it waits for it
        ASSERT_TRUE(session.isOpen());
        ASSERT_TRUE(done.wait(120000)) << "the freshly rendered sample was not tokenized";
        ASSERT_EQ(session.storeForTests()->tokenizers().size(), 1u);
        const RowId tokenizer = session.storeForTests()->tokenizers().front().id;
        EXPECT_GT(session.storeForTests()->annotationCount(), 0);
        EXPECT_EQ(session.storeForTests()->annotationsNeedingTokens(tokenizer), 0);
        EXPECT_TRUE(window.regionTable()->index(0, 3).data().toString().startsWith("<|mt_start|>"));
    }
    // Tokens gone (as after a model change), the sample reopened: nothing is tokenized unasked.
    {
        auto store = ProjectStore::open((dir.path() / "sample.samtok").string());
        for (const ImageRecord& image : store.images())
            for (const Annotation& a : store.annotationsForImage(image.id)) store.clearTokens(a.id);
    }
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    window.show();
    ASSERT_TRUE(modelLoaded(window));
    QSignalSpy done(&window, &ui::MainWindow::tokenizingFinished);
    window.openSampleProject(folder);
    ASSERT_TRUE(session.isOpen());
    QApplication::processEvents();
    EXPECT_FALSE(done.wait(3000));
    EXPECT_EQ(session.storeForTests()->annotationsNeedingTokens(session.storeForTests()->tokenizers().front().id),
              session.storeForTests()->annotationCount());
}

TEST(Studio, ADamagedEmbeddedModelIsNamedAndTheAppGoesOn) {
    test::TempDir dir;
    const auto models = std::filesystem::path(SAMTOK_SOURCE_DIR) / "models";
    for (const char* f : {"samtok-micro.safetensors", "samtok-micro.safetensors.sha256", "samtok-micro.json"})
        std::filesystem::copy_file(models / f, dir.path() / f);
    {
        std::fstream weights(dir.path() / "samtok-micro.safetensors", std::ios::in | std::ios::out | std::ios::binary);
        weights.seekp(-16, std::ios::end);
        weights.put('\x7f');
    }
    qputenv("SAMTOK_MODEL_DIR", QByteArray::fromStdString(dir.path().string()));
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    QSignalSpy failed(window.inference(), &ui::InferenceService::modelFailed);
    ASSERT_TRUE(failed.wait(60000));
    qunsetenv("SAMTOK_MODEL_DIR");
    EXPECT_TRUE(failed.at(0).at(1).toString().contains("damaged")) << failed.at(0).at(1).toString().toStdString();
    EXPECT_TRUE(window.statusMessage().contains("No model loaded"));
    EXPECT_FALSE(window.inference()->hasModel());
}

TEST(Studio, AddingImagesShowsThemAndSkipsDuplicates) {
    test::TempDir dir;
    ui::ProjectSession session;
    ASSERT_EQ(session.create(QString::fromStdString(dir.file("p.samtok")), "p"), QString());
    ui::MainWindow window(&session);
    const auto berkeley = test::sharedDir() / "data/berkeley/images";
    const QStringList files{QString::fromStdString((berkeley / "12003.jpg").string()),
                            QString::fromStdString((berkeley / "3096.jpg").string())};
    const AddImagesReport first = session.addImages(files, {});
    EXPECT_EQ(first.added.size(), 2u);
    const AddImagesReport again = session.addImages(files, {});
    EXPECT_EQ(again.added.size(), 0u);
    EXPECT_EQ(again.duplicates.size(), 2u);
    QApplication::processEvents();
    EXPECT_EQ(window.filterModel()->rowCount(), 2);
}

TEST(Studio, AnUnreadableImageShowsAMessageInsteadOfCrashing) {
    test::TempDir dir;
    ui::ProjectSession session;
    ASSERT_EQ(session.create(QString::fromStdString(dir.file("p.samtok")), "p"), QString());
    const std::string img = dir.file("gone.png");
    {
        cv::Mat m(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
        cv::imwrite(img, m);
    }
    session.addImages({QString::fromStdString(img)}, {});
    std::filesystem::remove(img);
    const ui::LoadedImage loaded = session.loadImage(session.storeForTests()->images().front().id);
    EXPECT_TRUE(loaded.error.contains("gone.png")) << loaded.error.toStdString();
}

// The disk fills while the user edits (test::FullDisk): the edit is refused with a message that says so, the undo
// history does not pretend it happened, and every earlier edit survives a restart.
TEST(Studio, AFullDiskRefusesTheEditByNameAndLosesNothingSaved) {
    test::TempDir dir;
    const QString path = QString::fromStdString(dir.file("p.samtok"));
    {
        ui::ProjectSession session;
        ASSERT_EQ(session.create(path, "p"), QString());
        const RowId image = session.storeForTests()->addImage({dir.file("a.png"), 64, 48, std::string(64, 'a')});
        Annotation saved;
        saved.imageId = image;
        saved.mask = rle::encode(test::rectMask(48, 64, 5, 10, 40, 30));
        saved.source = AnnotationSource::Brush;
        saved.caption = "saved before the disk filled";
        session.apply(edit::createRegion("Brush stroke", saved));
        ASSERT_EQ(session.storeForTests()->annotationCount(), 1);

        {
            test::FullDisk full(session.storeForTests()->database());
            QSignalSpy failed(&session, &ui::ProjectSession::editFailed);
            Annotation big = saved;
            big.caption = std::string(256 * 1024, 'x');
            session.apply(edit::createRegion("Brush stroke", big));
            ASSERT_EQ(failed.count(), 1);
            EXPECT_TRUE(failed[0][0].toString().contains("the disk is full")) << failed[0][0].toString().toStdString();
            EXPECT_EQ(session.storeForTests()->annotationCount(), 1);
            EXPECT_EQ(session.undoStack()->count(), 1);  // no step to undo that never happened
        }
        // Room again: the saved edit undoes and redoes.
        session.undoStack()->undo();
        EXPECT_EQ(session.storeForTests()->annotationCount(), 0);
        session.undoStack()->redo();
        EXPECT_EQ(session.storeForTests()->annotationCount(), 1);
    }
    ui::ProjectSession session;
    ASSERT_EQ(session.open(path), QString());
    ASSERT_EQ(session.storeForTests()->annotationCount(), 1);
    EXPECT_EQ(session.storeForTests()->annotationsForImage(session.storeForTests()->images().front().id).front().caption,
              "saved before the disk filled");
    EXPECT_EQ(session.undoStack()->count(), 1);
}

TEST(Studio, RefusesAFileThatIsNotAProject) {
    test::TempDir dir;
    const std::string bogus = dir.file("bogus.samtok");
    std::ofstream(bogus) << "hello";
    ui::ProjectSession session;
    const QString err = session.open(QString::fromStdString(bogus));
    EXPECT_TRUE(err.contains("not a SAMTok project")) << err.toStdString();
    EXPECT_FALSE(session.isOpen());
}

namespace {
int expectedHandlerErrors = 0;  // the ones a test throws on purpose
}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    ui::StudioApplication app(argc, argv);  // as the studio runs: an escaped exception is reported, not fatal
    QApplication::setOrganizationName("SAMTokTest");
    QSettings().remove(QStringLiteral("window"));  // every run starts from the default panel layout
    ::testing::InitGoogleTest(&argc, argv);
    const int result = RUN_ALL_TESTS();
    // An exception escaping a handler is reported, not fatal (StudioApplication); in a test it is still a failure.
    if (result == 0 && app.errorCount() > expectedHandlerErrors) {
        std::fprintf(stderr, "FAILED: %d exception(s) escaped an event handler; the last: %s\n",
                     app.errorCount() - expectedHandlerErrors, app.lastError().toLocal8Bit().constData());
        return 1;
    }
    return result;
}

namespace {

QPoint onScreen(ui::ImageView* view, QPointF imagePoint) { return view->mapFromScene(imagePoint); }

std::int64_t countWithSource(const ProjectStore& store, AnnotationSource source) {
    std::int64_t n = 0;
    for (const auto& im : store.images())
        for (const auto& a : store.annotationsForImage(im.id)) n += a.source == source;
    return n;
}

}  // namespace

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
        for (int y = before[0].bbox.y; y < before[0].bbox.y + before[0].bbox.height && !object.at(int(target.y()), int(target.x())); ++y)
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
    EXPECT_EQ(second.open(first.projectPath().isEmpty() ? QString::fromStdString((dir.path() / "sample.samtok").string())
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
    EXPECT_EQ(session.storeForTests()->referringExpressions(id), std::vector<std::string>{"the box at the bottom left"});
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

TEST(Studio, TenThousandImagesListFilterAndScroll) {
    test::TempDir dir;
    {
        auto store = ProjectStore::create(dir.file("big.samtok"), "big");
        store.transaction([&] {
            for (int i = 0; i < 10000; ++i) {
                char sum[65];
                std::snprintf(sum, sizeof sum, "%064d", i);
                store.addImage({dir.file("missing_" + std::to_string(i) + ".jpg"), 640, 480, sum});
            }
        });
    }
    ui::ProjectSession session;
    ASSERT_EQ(session.open(QString::fromStdString(dir.file("big.samtok"))), QString());
    ui::MainWindow window(&session);
    window.show();
    ASSERT_EQ(window.filterModel()->rowCount(), 10000);
    window.imageList()->scrollToBottom();
    window.imageList()->setCurrentIndex(window.filterModel()->index(9999, 0));
    QApplication::processEvents();
    EXPECT_FALSE(window.imageView()->hasImage());  // the file is missing: a message, not a crash
    window.filterModel()->setNameFilter("missing_999");
    EXPECT_EQ(window.filterModel()->rowCount(), 11);  // 999 and 9990..9999
}

TEST(Studio, EditedShortcutsAreRememberedAcrossRestarts) {
    QSettings().setValue("shortcuts/toolBrush", "Ctrl+Shift+B");
    {
        ui::ProjectSession session;
        ui::MainWindow window(&session);
        EXPECT_EQ(window.findChild<QAction*>("toolBrush")->shortcut(), QKeySequence("Ctrl+Shift+B"));
        // Every menu action has a stable name to be edited by.
        for (QAction* a : window.findChildren<QAction*>())
            if (!a->isSeparator() && !a->menu() && !a->shortcut().isEmpty())
                EXPECT_FALSE(a->objectName().isEmpty()) << a->text().toStdString();
        // The settings list every editable action by its text, and nothing of Qt's own.
        ui::SettingsDialog dialog(&window);
        const auto* table = dialog.findChild<QTableWidget*>();
        ASSERT_NE(table, nullptr);
        EXPECT_GT(table->rowCount(), 20);
        for (int row = 0; row < table->rowCount(); ++row)
            EXPECT_FALSE(table->item(row, 0)->text().isEmpty()) << "row " << row;
    }
    QSettings().remove("shortcuts/toolBrush");
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    EXPECT_EQ(window.findChild<QAction*>("toolBrush")->shortcut(), QKeySequence("B"));
}

// The last line of defence: an exception escaping an event handler is reported and the studio goes on.
TEST(Studio, AnExceptionEscapingAHandlerIsReportedInsteadOfEndingTheProgram) {
    struct Throwing : QObject {
        bool event(QEvent* e) override {
            if (e->type() == QEvent::User) throw FormatError("annotation 7 has a damaged mask");
            return QObject::event(e);
        }
    } receiver;
    auto* app = qobject_cast<ui::StudioApplication*>(QCoreApplication::instance());
    ASSERT_NE(app, nullptr);
    QEvent event(QEvent::User);
    const int before = app->errorCount();
    ++expectedHandlerErrors;
    EXPECT_FALSE(QCoreApplication::sendEvent(&receiver, &event));
    EXPECT_EQ(app->errorCount(), before + 1);
    EXPECT_EQ(app->lastError(), QStringLiteral("annotation 7 has a damaged mask"));
    QMessageBox* box = nullptr;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (QWidget* w : QApplication::topLevelWidgets())
                if (w->objectName() == "unexpectedError") box = qobject_cast<QMessageBox*>(w);
            return box != nullptr;
        },
        5000));
    EXPECT_TRUE(box->text().contains("annotation 7 has a damaged mask")) << box->text().toStdString();
    EXPECT_TRUE(box->text().contains("saved before it is intact")) << box->text().toStdString();
    box->close();
}

// The tool bar shows each tool's icon, and the application has its own; all are drawn
// from the SVGs in resources/, so a missing icon engine or resource shows here as blank.
TEST(Studio, EveryToolAndTheApplicationHaveADrawnIcon) {
    auto inkOf = [](const QIcon& icon) {
        const QImage img = icon.pixmap(QSize(48, 48)).toImage().convertToFormat(QImage::Format_ARGB32);
        int ink = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) ink += qAlpha(img.pixel(x, y)) > 128;
        return std::make_pair(ink, img);
    };
    ui::ProjectSession session;
    ui::MainWindow window(&session);
    std::vector<QImage> drawn;
    for (const char* name : {"toolSelect", "toolClick", "toolBrush", "toolEraser", "toolPolygon"}) {
        auto* action = window.findChild<QAction*>(name);
        ASSERT_NE(action, nullptr) << name;
        const auto [ink, img] = inkOf(action->icon());
        EXPECT_GT(ink, 48 * 48 / 20) << name << " has a blank icon";
        for (const QImage& other : drawn) EXPECT_NE(img, other) << name << " looks like another tool";
        drawn.push_back(img);
    }
    EXPECT_GT(inkOf(ui::applicationIcon()).first, 48 * 48 / 2);
}

TEST(Studio, AnEightThousandPixelImageOpensWithoutBlockingTheWindow) {
    test::TempDir dir;
    cv::Mat big(8000, 8000, CV_8UC3, cv::Scalar(40, 120, 200));
    cv::rectangle(big, {1000, 1000}, {5000, 6000}, cv::Scalar(10, 200, 30), -1);
    ASSERT_TRUE(cv::imwrite(dir.file("big.jpg"), big));
    {
        auto store = ProjectStore::create(dir.file("p.samtok"), "p");
        addImages(store, {dir.file("big.jpg")}, {});
    }
    ui::ProjectSession session;
    ASSERT_EQ(session.open(QString::fromStdString(dir.file("p.samtok"))), QString());
    ui::MainWindow window(&session);
    window.show();
    // The window came up before the pixels: they arrive from a worker, the event loop turning meanwhile.
    EXPECT_FALSE(window.imageView()->hasImage());
    for (int i = 0; i < 600 && !window.imageView()->hasImage(); ++i) QTest::qWait(50);
    ASSERT_TRUE(window.imageView()->hasImage());
    EXPECT_EQ(window.imageView()->imageSize(), QSize(8000, 8000));
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
    const QString summary = session.importAnnotations("labelme", QString::fromStdString((examples / "data_annotated").string()));
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
    EXPECT_TRUE(session.importAnnotations("coco", QString::fromStdString(dir.file("missing.json"))).startsWith("Error: "));
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

TEST(Studio, TheExportDialogWritesAValidatedDatasetWithTheLoadedModelsTokens) {
    test::TempDir dir;
    ui::ProjectSession session;
    ASSERT_EQ(session.openSample(QString::fromStdString((dir.path() / "project").string())), QString());
    ui::MainWindow window(&session);
    window.show();
    ASSERT_TRUE(modelLoaded(window));
    const RowId region = session.storeForTests()->annotationsForImage(window.currentImageId()).at(0).id;
    session.storeForTests()->addReferringExpression(region, "the first shape");

    ui::ExportDialog early(window.inference(), session.projectPath());
    early.setFolder(QString::fromStdString(dir.file("early")));
    QSignalSpy earlyDone(&early, &ui::ExportDialog::finished);
    early.start();
    ASSERT_TRUE(earlyDone.wait(60000));
    EXPECT_FALSE(earlyDone.at(0).at(0).toBool());
    EXPECT_TRUE(early.report().contains("Tokenize Project")) << early.report().toStdString();

    ASSERT_TRUE(tokenizedAll(window));
    ui::ExportDialog dialog(window.inference(), session.projectPath());
    dialog.setFolder(QString::fromStdString(dir.file("export")));
    QSignalSpy done(&dialog, &ui::ExportDialog::finished);
    dialog.start();
    EXPECT_TRUE(dialog.running());
    ASSERT_TRUE(done.wait(120000));
    EXPECT_TRUE(done.at(0).at(0).toBool()) << dialog.report().toStdString();
    EXPECT_TRUE(dialog.report().contains("samtok_train.jsonl")) << dialog.report().toStdString();
    EXPECT_TRUE(dialog.report().contains("no problems")) << dialog.report().toStdString();
    EXPECT_FALSE(dialog.report().contains("problem(s)")) << dialog.report().toStdString();
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "export/tokens.txt"));
}

TEST_F(StudioSample, TheTokenInspectorRebuildsTheSelectedRegionAndF3FindsFlaggedOnes) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    ASSERT_TRUE(tokenizedAll(window));

    const auto regions = session.storeForTests()->annotationsForImage(window.currentImageId());
    const auto tokens = session.storeForTests()->tokensFor(regions[0].id);
    ASSERT_EQ(tokens.size(), 1u);
    ui::RegionPanel* panel = window.regionPanel();
    panel->setCompareMode(2);
    QSignalSpy decoded(window.inference(), &ui::InferenceService::regionDecoded);
    window.annotate()->select(regions[0].id);
    EXPECT_EQ(panel->tokensText().toStdString(), formatMaskTokens(tokens[0].c0, tokens[0].c1));
    ASSERT_TRUE(decoded.wait(30000));
    QApplication::processEvents();
    EXPECT_TRUE(panel->reconstructionText().contains("IoU")) << panel->reconstructionText().toStdString();
    EXPECT_TRUE(window.imageView()->hasComparison());
    // The IoU the inspector measures is the one the tokenizer stored.
    const QString text = panel->reconstructionText();
    const double shown = text.mid(text.indexOf("IoU ") + 4, 5).toDouble();
    EXPECT_NEAR(shown, *tokens[0].reconstructionIou, 0.002) << text.toStdString();
    // Beside it, every candidate the decoder made, the returned one marked with the same IoU.
    const QString line = text.mid(text.indexOf("candidates: IoU ") + 16);
    const QStringList candidates = line.split(QStringLiteral(" · "));
    EXPECT_EQ(candidates.size(), 3) << text.toStdString();
    int returned = 0;
    for (const QString& c : candidates)
        if (c.endsWith(", returned)")) {
            ++returned;
            EXPECT_NEAR(c.left(5).toDouble(), shown, 1e-9) << text.toStdString();
        }
    EXPECT_EQ(returned, 1) << text.toStdString();

    // With the threshold at 1, every region is flagged: F3 walks them, across images.
    auto* flag = panel->findChild<QDoubleSpinBox*>();
    ASSERT_TRUE(flag);
    flag->setValue(1.0);
    window.annotate()->select(std::nullopt);
    window.findChild<QAction*>("actionNextFlaggedRegion")->trigger();
    ASSERT_TRUE(window.annotate()->selected().has_value());
    const RowId first = *window.annotate()->selected();
    window.findChild<QAction*>("actionNextFlaggedRegion")->trigger();
    EXPECT_NE(*window.annotate()->selected(), first);
}

TEST_F(StudioSample, SearchNearbyCodesShowsAPairThatRebuildsTheRegionAtLeastAsWell) {
    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    ui::RegionPanel* panel = window.regionPanel();
    QPushButton* button = panel->codeSearchButton();
    EXPECT_FALSE(button->isEnabled());  // nothing selected
    ASSERT_TRUE(tokenizedAll(window));

    QSignalSpy searched(window.inference(), &ui::InferenceService::regionCodesSearched);
    auto search = [&](RowId region) {
        window.annotate()->select(region);
        EXPECT_TRUE(button->isEnabled());
        searched.clear();
        button->click();
        EXPECT_FALSE(button->isEnabled());  // one search at a time
        EXPECT_TRUE(searched.wait(60000));
        QApplication::processEvents();
        return searched.isEmpty() ? ui::RegionCodeSearch{} : searched.at(0).at(0).value<ui::RegionCodeSearch>();
    };
    // Regions of the first images until one is rebuilt better by another pair than by its own tokens.
    int better = 0, own = 0;
    for (int image = 0; image < 3 && better == 0; ++image) {
        for (const auto& region : session.storeForTests()->annotationsForImage(window.currentImageId())) {
            SCOPED_TRACE(region.id);
            const auto tokens = session.storeForTests()->tokensFor(region.id);
            ASSERT_EQ(tokens.size(), 1u);
            const auto r = search(region.id);
            ASSERT_TRUE(r.error.isEmpty()) << r.error.toStdString();
            EXPECT_TRUE(button->isEnabled());
            // The stored pair is among those decoded, so the shown one does at least as well (batches of another
            // size may move a pixel); the stored pair's IoU is the one the tokenizer stored.
            EXPECT_GE(r.iou, r.storedIou - 2e-3);
            EXPECT_NEAR(r.storedIou, *tokens[0].reconstructionIou, 2e-3);
            const QString text = panel->codeSearchText();
            if (r.c0 != tokens[0].c0 || r.c1 != tokens[0].c1) {
                ++better;
                EXPECT_TRUE(text.contains(QString::fromStdString(formatMaskTokens(r.c0, r.c1)))) << text.toStdString();
                EXPECT_TRUE(text.contains(QString::number(r.iou, 'f', 3))) << text.toStdString();
                EXPECT_TRUE(text.contains(QString::number(r.storedIou, 'f', 3))) << text.toStdString();
            } else {
                ++own;
                EXPECT_TRUE(text.contains("its own tokens")) << text.toStdString();
            }
            // Inspection only: the stored tokens are unchanged.
            const auto after = session.storeForTests()->tokensFor(region.id);
            EXPECT_EQ(after.at(0).c0, tokens[0].c0);
            EXPECT_EQ(after.at(0).c1, tokens[0].c1);
        }
        window.nextImage();
    }
    EXPECT_GT(better, 0) << own << " regions rebuilt best by their own tokens, none by another pair";

    // An answer for a region no longer selected is dropped, and the panel is ready for the next one.
    const auto regions = session.storeForTests()->annotationsForImage(window.currentImageId());
    ASSERT_GE(regions.size(), 2u);
    window.annotate()->select(regions[0].id);
    searched.clear();
    button->click();
    window.annotate()->select(regions[1].id);
    ASSERT_TRUE(searched.wait(60000));
    QApplication::processEvents();
    EXPECT_TRUE(panel->codeSearchText().isEmpty()) << panel->codeSearchText().toStdString();
    EXPECT_TRUE(button->isEnabled());
}

TEST_F(StudioSample, PasteAndDecodeListsGroupsWithTheirTextAndKeepsOneAsARegion) {
    QStringList notes;
    const auto groups = ui::parsePasted(
        "```json\n[{\"mask_2d\": \"<|mt_start|><|mt_0017|><|mt_0402|><|mt_end|>\", \"label\": \"dog on the left\"}]\n```"
        " and <|object_ref_start|>a bush<|object_ref_end|> <|mt_start|><|mt_0140|><|mt_end|> and <|mt_start|><|mt_0300|><|mt_0300|><|mt_end|>",
        256, &notes);
    ASSERT_EQ(groups.size(), 2u);  // the third group's first code is out of range
    EXPECT_EQ(groups[0].label, "dog on the left");
    EXPECT_EQ(groups[0].c1, 402 - 256);
    EXPECT_TRUE(groups[0].repair.isEmpty());
    EXPECT_EQ(groups[1].label, "a bush");
    EXPECT_EQ(groups[1].c1, -1);  // repaired: a missing second code
    EXPECT_FALSE(groups[1].repair.isEmpty());
    EXPECT_TRUE(notes.join(" ").contains("first code 300")) << notes.join(" ").toStdString();

    ASSERT_TRUE(openSample());
    ui::MainWindow& window = *window_;
    const auto before = session.storeForTests()->annotationCount();
    ui::PastePanel* panel = window.pastePanel();
    QSignalSpy decoded(window.inference(), &ui::InferenceService::codesDecoded);
    emit panel->decodeRequested("Here: <|mt_start|><|mt_0010|><|mt_0300|><|mt_end|> the thing");
    ASSERT_TRUE(decoded.wait(30000));
    QApplication::processEvents();
    ASSERT_EQ(panel->groupCount(), 1);
    ASSERT_TRUE(panel->mask(0));
    ASSERT_GT(panel->mask(0)->area(), 0u);  // the model is fixed: this pair decodes to a region on this image
    emit panel->acceptRequested(0);
    EXPECT_EQ(session.storeForTests()->annotationCount(), before + 1);
    const auto regions = session.storeForTests()->annotationsForImage(window.currentImageId());
    EXPECT_EQ(session.storeForTests()->referringExpressions(regions.back().id), std::vector<std::string>{"Here:"});
    session.undoStack()->undo();
    EXPECT_EQ(session.storeForTests()->annotationCount(), before);
}

TEST_F(StudioSample, TheAnalyticsCountWhatTheProjectHoldsAndAClickOpensTheRegion) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    ASSERT_TRUE(tokenizedAll(window));
    // Known values: every region gets an IoU from its id, so that each class spreads over the bins.
    auto& store = *session.storeForTests();
    const RowId tokenizer = store.tokenizers().at(0).id;
    for (auto t : store.tokensOf(tokenizer)) {
        t.reconstructionIou = static_cast<double>((t.annotationId * 37) % 101) / 100.0;
        store.setTokens(t);
    }
    window.analyticsDock()->show();
    QSignalSpy first(window.inspect(), &ui::InspectController::analyticsRefreshed);
    window.inspect()->refreshNow();  // the query runs off the UI thread
    ASSERT_TRUE(first.wait(30000));
    ui::AnalyticsPanel* panel = window.analyticsPanel();

    // Each class's bars are the counts the database gives for its bins.
    const auto bars = panel->histogramBars();
    ASSERT_FALSE(bars.empty());
    std::int64_t drawn = 0;
    for (const auto& [cls, heights] : bars) {
        ASSERT_EQ(heights.size(), static_cast<std::size_t>(ui::AnalyticsPanel::kIouBins));
        for (int b = 0; b < ui::AnalyticsPanel::kIouBins; ++b) {
            const std::string upper = b == ui::AnalyticsPanel::kIouBins - 1 ? "<= 1.0" : "< " + std::to_string((b + 1) / 20.0);
            const auto expected = store.database().queryInt(
                "SELECT count(*) FROM tokens t JOIN annotations a ON a.id = t.annotation_id WHERE t.tokenizer_id = " +
                std::to_string(tokenizer) + " AND " + (cls ? "a.class_id = " + std::to_string(*cls) : "a.class_id IS NULL") +
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
    const auto unusedC0 = 256 - store.database().queryInt("SELECT count(DISTINCT c0) FROM tokens WHERE tokenizer_id = " +
                                                          std::to_string(tokenizer));
    EXPECT_TRUE(panel->summary().contains(QString("c0 %1 of 256").arg(unusedC0))) << panel->summary().toStdString();

    // A click on a dot of the scatter opens its region, on its image.
    panel->tabs()->setCurrentIndex(1);
    QApplication::processEvents();
    QCustomPlot* scatter = panel->scatterPlot();
    scatter->replot(QCustomPlot::rpImmediateRefresh);
    const auto& regions = panel->stats().regions;
    const auto target = std::find_if(regions.begin(), regions.end(), [&](const auto& r) { return r.imageId != window.currentImageId(); });
    ASSERT_NE(target, regions.end());
    const QPoint at(static_cast<int>(scatter->xAxis->coordToPixel(static_cast<double>(std::max<std::uint64_t>(1, target->area)))),
                    static_cast<int>(scatter->yAxis->coordToPixel(*target->iou)));
    const auto near = panel->regionNear(at);
    ASSERT_TRUE(near.has_value());
    QTest::mouseClick(scatter, Qt::LeftButton, {}, at);
    QApplication::processEvents();
    EXPECT_EQ(window.currentImageId(), near->imageId);
    ASSERT_TRUE(window.annotate()->selected().has_value());
    EXPECT_EQ(*window.annotate()->selected(), near->annotationId);

    // Every plot exports to PNG and PDF; an unknown suffix is refused by name.
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
    EXPECT_TRUE(panel->exportCurrent(QString::fromStdString(dir.file("no/such/folder/plot.png"))).contains("Cannot write"));

    // Live: a new region with tokens shows up without asking.
    const std::size_t before = panel->stats().regions.size();
    QSignalSpy refreshed(window.inspect(), &ui::InspectController::analyticsRefreshed);
    QSignalSpy tokenized(window.inference(), &ui::InferenceService::imageTokenized);
    Annotation a = store.annotationsForImage(window.currentImageId()).at(0);
    a.id = 0;
    session.apply(edit::createRegion("copy", a));
    window.inference()->tokenizeImage(session.projectPath(), window.currentImageId());
    ASSERT_TRUE(tokenized.wait(30000));
    ASSERT_TRUE(refreshed.wait(5000));
    EXPECT_EQ(panel->stats().regions.size(), before + 1);
}

TEST_F(StudioSample, TheTokenExplorerDecodesAnyPairAsTheCliDoesAndDecodesSheetsInTheBackground) {
    ASSERT_TRUE(openSample({1400, 900}));
    ui::MainWindow& window = *window_;
    window.explorerDock()->show();
    window.explorerDock()->raise();
    QApplication::processEvents();
    ui::TokenExplorer* explorer = window.tokenExplorer();

    // A click in the pair grid picks the pair under it.
    auto* grid = explorer->findChild<ui::CodeGrid*>();
    ASSERT_TRUE(grid);
    const QPoint inGrid(grid->width() / 2 + 3, grid->height() / 3);
    const auto [gc0, gc1] = grid->pairAt(inGrid);
    ASSERT_GE(gc0, 0);
    QSignalSpy decoded(window.inspect(), &ui::InspectController::explorerDecoded);
    QTest::mouseClick(grid, Qt::LeftButton, {}, inGrid);
    EXPECT_EQ(explorer->c0(), gc0);
    EXPECT_EQ(explorer->c1(), gc1);

    // Dragging a slider asks for many pairs; the last one asked is the one shown.
    for (int c1 = 0; c1 < 40; c1 += 3) explorer->setPair(17, c1);
    explorer->setPair(17, 44);
    while (!(window.inspect()->explorerMaskPair() == std::pair<int, int>(17, 44) && !explorer->isDecodePending()))
        ASSERT_TRUE(decoded.wait(30000));
    const Mask* mask = window.inspect()->explorerMask();
    ASSERT_TRUE(mask);
    EXPECT_EQ(explorer->tokenText().toStdString(), formatMaskTokens(17, 44));

    // The CLI decodes the same text on the same image to the same pixels.
    const auto rec = session.storeForTests()->image(window.currentImageId());
    QProcess cli;
    cli.start(SAMTOK_CLI, {"decode", "--image", QString::fromStdString(session.storeForTests()->resolveImagePath(*rec)), "--tokens",
                           explorer->tokenText(), "--out-dir", QString::fromStdString(dir.file("cli"))});
    ASSERT_TRUE(cli.waitForFinished(120000));
    ASSERT_EQ(cli.exitCode(), 0) << cli.readAllStandardError().toStdString();
    const Mask fromCli = readMask(dir.file("cli/mask_00.png"));
    ASSERT_EQ(fromCli.width(), mask->width());
    ASSERT_EQ(fromCli.height(), mask->height());
    EXPECT_TRUE(std::equal(fromCli.data(), fromCli.data() + fromCli.size(), mask->data()));

    // Keep as Region is one undoable step.
    const auto before = session.storeForTests()->annotationCount();
    if (mask->area() > 0) {
        emit explorer->keepRequested();
        EXPECT_EQ(session.storeForTests()->annotationCount(), before + 1);
        session.undoStack()->undo();
        EXPECT_EQ(session.storeForTests()->annotationCount(), before);
    }

    // A sheet: c0 fixed, c1 over the codebook, in the background; entry 44 is the pair above, small.
    QSignalSpy sheetDone(window.inspect(), &ui::InspectController::sheetFinished);
    emit explorer->sheetRequested(1, 17);
    EXPECT_TRUE(explorer->sheetRunning());
    ASSERT_TRUE(sheetDone.wait(120000));
    EXPECT_EQ(explorer->sheetCount(), 256);
    ASSERT_TRUE(explorer->sheetMask(44));
    const Mask small = shrinkMask(*mask, 96);
    EXPECT_EQ(explorer->sheetMask(44)->width(), small.width());
    EXPECT_TRUE(std::equal(small.data(), small.data() + small.size(), explorer->sheetMask(44)->data()));
    // Cancelled at once, it stops early and says so.
    emit explorer->sheetRequested(0, 3);
    emit explorer->sheetCancelRequested();
    ASSERT_TRUE(sheetDone.wait(60000));
    EXPECT_LT(explorer->sheetCount(), 256);
    EXPECT_FALSE(explorer->sheetRunning());
}

TEST(Studio, TheWindowRemembersWhichPanelsWereOpen) {
    ui::ProjectSession session;
    {
        ui::MainWindow window(&session);
        window.show();
        ASSERT_TRUE(window.analyticsDock()->isVisible());
        window.analyticsDock()->close();
        window.close();
    }
    {
        ui::MainWindow window(&session);
        window.show();
        EXPECT_FALSE(window.analyticsDock()->isVisible());
        window.findChild<QAction*>("actionAnalytics")->trigger();  // View ▸ Analytics brings it back
        EXPECT_TRUE(window.analyticsDock()->isVisible());
        window.close();
    }
    ui::MainWindow window(&session);
    window.show();
    EXPECT_TRUE(window.analyticsDock()->isVisible());
    QSettings().remove(QStringLiteral("window"));
}
