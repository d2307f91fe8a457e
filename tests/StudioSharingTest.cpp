// The studio beside other users of its project: `samtok` commands in a
// terminal, and a studio killed before its worker wrote a region's tokens.
#include "AnnotateController.h"
#include "ImageView.h"
#include "RegionTableModel.h"
#include "StudioFixtures.h"
#include "TestMasks.h"
#include "edit/RegionEdit.h"
#include "mask/CocoRle.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"

#include <QAction>
#include <QTest>
#include <QTreeView>
#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace samtok;
using test::StudioSample;

TEST_F(StudioSample, RegionsAnotherProgramAddsShowWithoutReopening) {
    ASSERT_TRUE(openSample({1200, 800}));
    session.setWatchInterval(50);
    const RowId image = window_->currentImageId();
    ASSERT_NE(image, 0);
    const int shown = window_->regionTable()->rowCount();
    {
        ProjectStore other = ProjectStore::open(session.projectPath().toStdString());  // as `samtok import` would
        const auto rec = other.image(image);
        Annotation a;
        a.imageId = image;
        a.mask = rle::encode(test::rectMask(rec->height, rec->width, 5, 5, 40, 30));
        a.source = AnnotationSource::Import;
        other.addAnnotation(a);
    }
    QSignalSpy changed(&session, &ui::ProjectSession::changedElsewhere);
    ASSERT_TRUE(changed.wait(30000)) << "the studio never noticed the other program's commit";
    QApplication::processEvents();
    EXPECT_EQ(window_->regionTable()->rowCount(), shown + 1);
}

TEST_F(StudioSample, TheWorkerOpensTheProjectOnceAndHashesNothingAcrossTenEdits) {
    ASSERT_TRUE(openSample({1200, 800}));
    const RowId image = window_->currentImageId();
    const auto rec = session.storeForTests()->image(image);
    ASSERT_TRUE(rec);
    window_->findChild<QAction*>("toolBrush")->trigger();
    ui::ImageView* view = window_->imageView();
    const std::uint64_t hashedBefore = filesHashed();
    for (int i = 0; i < 10; ++i) {
        QSignalSpy tokenized(window_->inference(), &ui::InferenceService::imageTokenized);
        QTest::keyClick(view, Qt::Key_Escape);  // nothing selected: each stroke is a new region
        const QPoint a = view->mapFromScene(QPointF(10 + i * 12, 10 + i * 9));
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, a);
        QTest::mouseMove(view->viewport(), a + QPoint(25, 12));
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, a + QPoint(25, 12));
        ASSERT_TRUE(tokenized.wait(30000)) << "edit " << i << " got no tokens";
    }
    EXPECT_EQ(window_->inference()->projectOpens(), 1);
    // Images are hashed when added, the checkpoint when loaded: an edit hashes nothing.
    EXPECT_EQ(filesHashed(), hashedBefore) << "a file was hashed during the edits";
}

TEST(Studio, RegionsAKilledStudioLeftWithoutTokensGetThemOnTheNextOpen) {
    test::TempDir dir;
    RowId drawn = 0;
    QString path;
    {
        ui::ProjectSession session;  // no window: no model, so nothing computes tokens
        ASSERT_EQ(session.openSample(QString::fromStdString(dir.path().string())), QString());
        path = session.projectPath();
        ProjectStore& store = *session.storeForTests();
        const ImageRecord rec = store.images().front();
        Annotation a;
        a.imageId = rec.id;
        a.mask = rle::encode(test::rectMask(rec.height, rec.width, 10, 10, 60, 40));
        a.source = AnnotationSource::Brush;  // as a stroke the studio had no time to tokenize
        drawn = store.addAnnotation(a);
    }
    ui::ProjectSession session;
    ASSERT_EQ(session.open(path), QString());
    ui::MainWindow window(&session);
    window.show();
    QSignalSpy leftovers(window.inference(), &ui::InferenceService::leftoversTokenized);
    ASSERT_TRUE(test::modelLoaded(window));
    ASSERT_TRUE(leftovers.count() > 0 || leftovers.wait(60000));
    EXPECT_GE(leftovers.front().at(0).toInt(), 1) << leftovers.front().at(1).toString().toStdString();
    EXPECT_EQ(session.storeForTests()->tokensFor(drawn).size(), 1u);
    // The sample's imported regions on other images wait for Tokenize Project, as any imported region does.
    EXPECT_GT(session.storeForTests()->annotationsNeedingTokens(session.storeForTests()->tokenizers().front().id), 0);
}

namespace {

// What `samtok import` leaves in a fresh project: (images, regions).
std::pair<std::int64_t, std::int64_t> importedByCli(const std::string& project, const std::string& args) {
    const std::string cmd = std::string(SAMTOK_CLI) + " project init " + project + " >/dev/null && " + SAMTOK_CLI +
                            " import " + args + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const ProjectStore s = ProjectStore::open(project);
    return {s.imageCount(), s.annotationCount()};
}

}  // namespace

TEST(Studio, TheStudioAndTheCliImportANestedLabelMeFolderAndAYoloFolderAlike) {
    test::TempDir dir;
    // LabelMe: the examples tree, whose files sit two folders down, beside other JSON (a COCO file).
    const std::string labelme = (test::sharedDir() / "data/labelme-examples/examples/instance_segmentation").string();
    // YOLO: three images, one of them without a label file.
    std::filesystem::create_directories(dir.path() / "yolo/images");
    std::filesystem::create_directories(dir.path() / "yolo/labels");
    for (int i = 0; i < 3; ++i) {
        cv::Mat bgr(40, 60, CV_8UC3, cv::Scalar(10 + 80 * i, 90, 200 - 60 * i));
        cv::imwrite((dir.path() / "yolo/images" / ("im" + std::to_string(i) + ".png")).string(), bgr);
        if (i < 2)
            std::ofstream(dir.path() / "yolo/labels" / ("im" + std::to_string(i) + ".txt"))
                << "0 0.1 0.1 0.6 0.1 0.5 0.7\n";
    }
    const std::string images = (dir.path() / "yolo/images").string(), labels = (dir.path() / "yolo/labels").string();

    const auto cliLabelMe =
        importedByCli(dir.file("cli-labelme.samtok"), "labelme " + dir.file("cli-labelme.samtok") + " " + labelme);
    const auto cliYolo = importedByCli(dir.file("cli-yolo.samtok"), "yolo " + dir.file("cli-yolo.samtok") +
                                                                        " --images " + images + " --labels " + labels);
    EXPECT_GT(cliLabelMe.second, 0);
    EXPECT_EQ(cliYolo.first, 2);

    for (const auto& [format, expected] :
         {std::make_pair(QString("labelme"), cliLabelMe), std::make_pair(QString("yolo"), cliYolo)}) {
        ui::ProjectSession session;
        ASSERT_EQ(session.create(QString::fromStdString(dir.file("studio-" + format.toStdString() + ".samtok")), "s"),
                  QString());
        const auto outcome = format == "labelme" ? session.importAnnotations(format, QString::fromStdString(labelme))
                                                 : session.importAnnotations(format, QString::fromStdString(images),
                                                                             QString::fromStdString(labels));
        EXPECT_TRUE(outcome.error.isEmpty()) << outcome.error.toStdString();
        const QString& summary = outcome.summary;
        EXPECT_EQ(session.storeForTests()->imageCount(), expected.first) << format.toStdString();
        EXPECT_EQ(session.storeForTests()->annotationCount(), expected.second) << format.toStdString();
        if (format == "yolo") EXPECT_TRUE(summary.contains("1 image(s) without a label file")) << summary.toStdString();
    }
}
