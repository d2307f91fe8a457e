// Model ▸ Get Model…: the official models in a table, one downloaded with progress from a local server, then a
// click away in the Model menu and loaded by the worker.
#include "GetModelDialog.h"
#include "InferenceService.h"
#include "LocalHttpServer.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "StudioFixtures.h"
#include "TestPaths.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace samtok;
using namespace samtok::test;

namespace {

QMenu* modelMenu(ui::MainWindow& w) {
    for (QAction* a : w.menuBar()->actions())
        if (a->text() == QStringLiteral("&Model")) return a->menu();
    return nullptr;
}

QStringList texts(QMenu* menu) {
    QStringList out;
    for (QAction* a : menu->actions()) out << a->text();
    return out;
}

}  // namespace

TEST(StudioModelGet, AModelGotFromTheDialogIsThenOfferedInTheModelMenuAndLoads) {
    LocalHttpServer server;
    server.serve("/zhouyik/Qwen3-VL-4B-SAMTok/resolve/main/mask_tokenizer_256x2.pth",
                 {slurp(std::string(SAMTOK_SOURCE_DIR) + "/models/samtok-micro.safetensors")});
    TempDir data;
    qputenv("HF_ENDPOINT", QByteArray::fromStdString(server.url()));
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(data.path().string()));

    ui::ProjectSession session;
    ui::MainWindow window(&session);
    window.show();
    ASSERT_TRUE(modelLoaded(window));
    QMenu* menu = modelMenu(window);
    ASSERT_TRUE(menu);
    emit menu->aboutToShow();
    EXPECT_FALSE(texts(menu).contains(QStringLiteral("Use samtok-official")));

    ui::GetModelDialog dialog;
    ASSERT_EQ(dialog.table()->model()->rowCount(), 5);
    dialog.table()->selectRow(0);
    EXPECT_EQ(dialog.table()->model()->index(0, ui::KnownModelList::Status).data().toString(),
              QStringLiteral("not downloaded"));
    QSignalSpy done(dialog.downloader(), &ui::ModelDownloader::finished);
    dialog.getButton()->click();
    ASSERT_TRUE(done.wait(60000));
    EXPECT_EQ(done.first().at(2).toString(), QString());  // no error
    EXPECT_EQ(dialog.table()->model()->index(0, ui::KnownModelList::Status).data().toString(),
              QStringLiteral("downloaded"));
    EXPECT_FALSE(dialog.getButton()->isEnabled());  // nothing more to get

    emit menu->aboutToShow();
    QAction* use = nullptr;
    for (QAction* a : menu->actions())
        if (a->text() == QStringLiteral("Use samtok-official")) use = a;
    ASSERT_TRUE(use) << texts(menu).join(", ").toStdString();
    QSignalSpy ready(window.inference(), &ui::InferenceService::modelReady);
    use->trigger();
    ASSERT_TRUE(ready.wait(60000));
    EXPECT_NE(window.inference()->model().checkpoint.toStdString().find("mask_tokenizer_256x2.pth"), std::string::npos);
    qunsetenv("HF_ENDPOINT");
    qunsetenv("XDG_DATA_HOME");
}
