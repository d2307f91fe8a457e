// The studio's main window on a real project, driven as a user would.
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
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sys/wait.h>
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
    EXPECT_EQ(window.filterModel()->rowCount(),
              static_cast<int>(session.storeForTests()->images({ImageStatus::Done, {}}).size()));
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
    EXPECT_EQ(
        session.storeForTests()->annotationsForImage(session.storeForTests()->images().front().id).front().caption,
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

namespace samtok::test {
int expectedHandlerErrors = 0;  // the ones a test throws on purpose
}  // namespace samtok::test

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // ctest runs these tests as parallel processes: each gets its own settings folder, so one test's panel layout
    // or shortcut never leaks into another's, and the user's own settings are never touched.
    // The crash child (StudioEditTest.cpp), killed with SIGKILL, could not remove a folder: it uses its parent's.
    std::optional<test::TempDir> settings;
    if (!std::getenv("SAMTOK_STUDIO_CRASH_PROJECT")) {
        settings.emplace();
        qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(settings->path().string()));
    }
    ui::StudioApplication app(argc, argv);  // as the studio runs: an escaped exception is reported, not fatal
    QApplication::setOrganizationName("SAMTokTest");
    ::testing::InitGoogleTest(&argc, argv);
    const int result = RUN_ALL_TESTS();
    // An exception escaping a handler is reported, not fatal (StudioApplication); in a test it is still a failure.
    if (result == 0 && app.errorCount() > test::expectedHandlerErrors) {
        std::fprintf(stderr, "FAILED: %d exception(s) escaped an event handler; the last: %s\n",
                     app.errorCount() - test::expectedHandlerErrors, app.lastError().toLocal8Bit().constData());
        return 1;
    }
    return result;
}
