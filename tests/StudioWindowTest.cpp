// The studio's window: large projects and images, shortcuts, icons, panels, escaped exceptions.
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
