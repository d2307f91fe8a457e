// The studio's inspection panels: export, token inspector, code search, paste and decode, analytics, explorer.
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
    EXPECT_EQ(panel->tokensText().toStdString(), formatMaskTokens(tokens[0]));
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
            if (r.best != tokens[0]) {
                ++better;
                EXPECT_TRUE(text.contains(QString::fromStdString(formatMaskTokens(r.best)))) << text.toStdString();
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
        "```json\n[{\"mask_2d\": \"<|mt_start|><|mt_0017|><|mt_0402|><|mt_end|>\", \"label\": \"dog on the "
        "left\"}]\n```"
        " and <|object_ref_start|>a bush<|object_ref_end|> <|mt_start|><|mt_0140|><|mt_end|> and "
        "<|mt_start|><|mt_0300|><|mt_0300|><|mt_end|>",
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
    const auto picked = grid->pairAt(inGrid);
    ASSERT_TRUE(picked.has_value());
    const auto [gc0, gc1] = *picked;
    ASSERT_GE(gc0, 0);
    QSignalSpy decoded(window.inspect(), &ui::InspectController::explorerDecoded);
    QTest::mouseClick(grid, Qt::LeftButton, {}, inGrid);
    EXPECT_EQ(explorer->c0(), gc0);
    EXPECT_EQ(explorer->c1(), gc1);

    // Dragging a slider asks for many pairs; the last one asked is the one shown.
    for (int c1 = 0; c1 < 40; c1 += 3) explorer->setPair({17, c1});
    explorer->setPair({17, 44});
    while (!(window.inspect()->explorerMaskPair() == TokenPair{17, 44} && !explorer->isDecodePending()))
        ASSERT_TRUE(decoded.wait(30000));
    const Mask* mask = window.inspect()->explorerMask();
    ASSERT_TRUE(mask);
    EXPECT_EQ(explorer->tokenText().toStdString(), formatMaskTokens({17, 44}));

    // The CLI decodes the same text on the same image to the same pixels.
    const auto rec = session.storeForTests()->image(window.currentImageId());
    QProcess cli;
    cli.start(SAMTOK_CLI, {"decode", "--image", QString::fromStdString(session.storeForTests()->resolveImagePath(*rec)),
                           "--tokens", explorer->tokenText(), "--out-dir", QString::fromStdString(dir.file("cli"))});
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
