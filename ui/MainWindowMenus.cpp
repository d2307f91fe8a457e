// MainWindow's menus and toolbars: which actions exist, their keys, and what
// they call. The window's panels and docks are laid out in MainWindow.cpp.
#include "AnnotateController.h"
#include "ClassBox.h"
#include "ExportDialog.h"
#include "GetModelDialog.h"
#include "ImageListModel.h"
#include "ImageView.h"
#include "ImagesPanel.h"
#include "InferenceService.h"
#include "KeyboardHelp.h"
#include "MainWindow.h"
#include "ProjectActions.h"
#include "ProjectSession.h"
#include "SettingsDialog.h"
#include "StudioStatusBar.h"
#include "ToolsBar.h"
#include "net/ModelCatalog.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include <functional>

namespace samtok::ui {

void MainWindow::buildModelMenu(QMenu* modelMenu) {
    tokenizeAction_ =
        modelMenu->addAction(tr("&Tokenize Project"), QKeySequence(tr("Ctrl+T")), this, &MainWindow::tokenizeProject);
    tokenizeAction_->setToolTip(tr("Give every annotation without tokens the tokens of the loaded model"));
    projectActions_ << tokenizeAction_;
    modelMenu->addSeparator();
    modelMenu->addAction(tr("&Load Checkpoint…"), this, &MainWindow::loadModelCheckpoint);
    modelMenu->addAction(tr("Load SAM2 Checkpoint for &Clicks…"), this, [this] {
        if (!inference_->hasModel()) {
            showError(tr("No model loaded"), tr("Load a tokenizer checkpoint first (Model ▸ Load Checkpoint)."));
            return;
        }
        const QString path = QFileDialog::getOpenFileName(this, tr("SAM2 Checkpoint for Click and Box Prompts"),
                                                          QString(), tr("SAM2 checkpoints (*.pt);;All files (*)"));
        if (!path.isEmpty()) loadPromptModel(path);  // the tokenizer stays; clicks use this file's SAM2 decoder
    });
    modelMenu->addAction(tr("Use the &Embedded Default"), this, [this] {
        userLoad_ = true;
        inference_->loadDefaultModel();
    });
    modelMenu->addSeparator();
    modelMenu->addAction(tr("&Get Model…"), this, &MainWindow::showGetModel);
    // The official models already downloaded, each a click away (the menu is rebuilt as it opens).
    auto* downloaded = modelMenu->addSection(tr("Downloaded"));
    connect(modelMenu, &QMenu::aboutToShow, this, [this, modelMenu, downloaded] {
        const QList<QAction*> all = modelMenu->actions();
        for (int i = all.indexOf(downloaded) + 1; i >= 1 && i < all.size(); ++i) {
            modelMenu->removeAction(all[i]);
            all[i]->deleteLater();
        }
        for (const auto& m : net::knownModels()) {
            const auto path = net::downloadedModel(m.name);
            if (!path) continue;
            const QString file = QString::fromStdString(*path);
            if (m.role == net::ModelRole::Tokenizer)
                modelMenu->addAction(tr("Use %1").arg(QString::fromStdString(m.name)), this,
                                     [this, file] { loadModelFile(file); });
            else
                modelMenu->addAction(tr("Use %1 for Clicks").arg(QString::fromStdString(m.name)), this,
                                     [this, file] { loadPromptModel(file); });
        }
    });
}

void MainWindow::showGetModel() {
    if (!getModel_) {  // one dialog: two downloads of one file would fight over it
        getModel_ = new GetModelDialog(this);
        connect(getModel_, &GetModelDialog::useTokenizer, this, &MainWindow::loadModelFile);
        connect(getModel_, &GetModelDialog::usePrompts, this, &MainWindow::loadPromptModel);
    }
    getModel_->show();
    getModel_->raise();
    getModel_->activateWindow();
}

void MainWindow::loadPromptModel(const QString& path) {
    if (!inference_->hasModel()) {
        showError(tr("No model loaded"), tr("Load a tokenizer first (Model ▸ Load Checkpoint)."));
        return;
    }
    userLoad_ = true;
    inference_->loadModel(inference_->model().checkpoint, path);
}

// The menus and toolbars. The main toolbar shows the commonest of the menus' actions.
void MainWindow::buildActions() {
    const QList<QAction*> fileActions = buildFileMenu(menuBar()->addMenu(tr("&File")));
    buildModelMenu(menuBar()->addMenu(tr("&Model")));
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    const QList<QAction*> viewActions = buildViewMenu(menuBar()->addMenu(tr("&View")));
    buildHelpMenu(menuBar()->addMenu(tr("&Help")));

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolBar");
    bar->setMovable(false);
    bar->addActions(fileActions);  // new, open, add images, add folder
    bar->addSeparator();
    bar->addActions(viewActions.mid(0, 2));  // previous, next
    bar->addSeparator();
    bar->addActions(viewActions.mid(2, 2));  // fit, actual size
    addToolBarBreak();                       // the tools get a row of their own
    auto* tools = new ToolsBar(this);
    addToolBar(tools);
    keepKeysOnCanvas(tools);
    buildEditMenu(edit);
    buildToolBar(tools);
    connectCanvas();
    nameActions();
    applySavedShortcuts(this);
    // Qt runs neither of two actions that share a key; say which, rather than let both keys die silently.
    if (const QStringList clashes = shortcutClashes(this); !clashes.isEmpty()) {
        qWarning("samtok-studio: keys bound twice (Settings ▸ Shortcuts): %s", qPrintable(clashes.join("; ")));
        QTimer::singleShot(0, this, [this, clashes] {
            statusBar()->showMessage(tr("Keys bound twice, so neither works: %1").arg(clashes.join("; ")), 15000);
        });
    }
}

// File: returns new, open, add images and add folder for the toolbar.
QList<QAction*> MainWindow::buildFileMenu(QMenu* file) {
    QAction* newAct = file->addAction(tr("&New Project…"), QKeySequence::New, files_, &ProjectActions::newProject);
    QAction* openAct = file->addAction(tr("&Open Project…"), QKeySequence::Open, files_, &ProjectActions::openProject);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    connect(recentMenu_, &QMenu::aboutToShow, files_, [this] { files_->fillRecentMenu(recentMenu_); });
    file->addAction(tr("Open &Sample Project"), this, [this] { openSampleProject(); });
    file->addSeparator();
    QAction* addFiles =
        file->addAction(tr("Add &Images…"), QKeySequence(tr("Ctrl+I")), files_, &ProjectActions::addImageFiles);
    QAction* addFolder =
        file->addAction(tr("Add &Folder…"), QKeySequence(tr("Ctrl+Shift+I")), files_, &ProjectActions::addImageFolder);
    const QList<QAction*> imports = files_->buildImportMenu(file->addMenu(tr("Import &Annotations")));
    const QList<QAction*> exports = files_->buildExportMenu(file->addMenu(tr("E&xport Annotations")));
    QAction* exportAct = file->addAction(tr("&Export Dataset…"), QKeySequence(tr("Ctrl+E")), this, [this] {
        if (!session_->isOpen()) return;
        ExportDialog dialog(inference_, session_->projectPath(), this);
        dialog.exec();
    });
    file->addSeparator();
    QAction* closeAct = file->addAction(tr("&Close Project"), QKeySequence::Close, session_, &ProjectSession::close);
    file->addAction(tr("Se&ttings…"), QKeySequence::Preferences, this, [this] {
        SettingsDialog dialog(this);
        if (dialog.exec() != QDialog::Accepted) return;
        const StudioSettings settings = StudioSettings::load();
        inference_->setCacheBudget(static_cast<qulonglong>(settings.cacheMegabytes) << 20);
        inference_->setDevice(settings.device, settings.precision);  // used by the next load
    });
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    projectActions_ << addFiles << addFolder << closeAct << exportAct << imports << exports;
    return {newAct, openAct, addFiles, addFolder};
}

// View: returns previous, next, fit and actual size for the toolbar.
QList<QAction*> MainWindow::buildViewMenu(QMenu* view) {
    QAction* fit = view->addAction(tr("&Fit to Window"), QKeySequence(tr("F")), view_, &ImageView::fitToWindow);
    QAction* actual =
        view->addAction(tr("&Actual Size (100 %)"), QKeySequence(tr("Ctrl+0")), view_, &ImageView::actualSize);
    QAction* zin = view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, view_, &ImageView::zoomIn);
    QAction* zout = view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, view_, &ImageView::zoomOut);
    view->addSeparator();
    QAction* next = view->addAction(tr("&Next Image"), QKeySequence(tr("D")), this, &MainWindow::nextImage);
    QAction* prev = view->addAction(tr("&Previous Image"), QKeySequence(tr("A")), this, &MainWindow::previousImage);
    QAction* work = view->addAction(tr("Next Image Needing &Work"), QKeySequence(tr("Shift+D")), this, [this] {
        if (!imagesPanel_->selectNextNeedingWork())
            statusBar()->showMessage(tr("Every image is marked done or reviewed"), 6000);
    });
    work->setToolTip(tr("The next image that is unlabelled or in progress"));
    projectActions_ << fit << actual << zin << zout << next << prev << work;
    view->addSeparator();
    // These open their panel and bring it to the front (a tab behind another one included); the panel's own
    // close button hides it.
    QAction* showExplorer = view->addAction(tr("Token &Explorer"), QKeySequence(tr("Ctrl+Shift+E")), this,
                                            [this] { showDock(explorerDock_); });
    showExplorer->setToolTip(tr("Pick any two codes and see the mask they decode to on this image"));
    QAction* showAnalytics =
        view->addAction(tr("A&nalytics"), QKeySequence(tr("Ctrl+Shift+A")), this, [this] { showDock(analyticsDock_); });
    showAnalytics->setToolTip(tr("Reconstruction IoU by class and size, code usage, the worst regions"));
    return {prev, next, fit, actual};
}

void MainWindow::showDock(QDockWidget* dock) {
    dock->show();
    dock->raise();
}

void MainWindow::buildHelpMenu(QMenu* help) {
    help->addAction(tr("&Keyboard and Mouse"), QKeySequence::HelpContents, this, &MainWindow::showCheatSheet);
    help->addAction(tr("&About SAMTok Studio"), this, [this] {
        QMessageBox::about(this, tr("About SAMTok Studio"),
                           tr("<b>SAMTok Studio %1</b><p>Annotate image regions and turn each mask into two "
                              "SAMTok tokens.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

// Stable names, so that shortcuts can be edited and remembered.
void MainWindow::nameActions() {
    std::function<void(QMenu*)> name = [&](QMenu* menu) {
        for (QAction* a : menu->actions()) {
            if (a->menu())
                name(a->menu());
            else if (a->objectName().isEmpty() && !a->isSeparator())
                a->setObjectName(QStringLiteral("action") +
                                 a->text().left(a->text().indexOf('\t')).remove('&').remove(' ').remove(QChar(0x2026)));
        }
    };
    for (QAction* menu : menuBar()->actions())
        if (menu->menu()) name(menu->menu());
}

void MainWindow::buildEditMenu(QMenu* edit) {
    QUndoStack* stack = session_->undoStack();
    QAction* undo = stack->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = stack->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(tr("Ctrl+Y"))});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    QAction* accept = edit->addAction(tr("&Accept Candidate\tEnter"), annotate_, &AnnotateController::accept);
    edit->addAction(tr("Add Candidate to Selected Region\tShift+Enter"), annotate_,
                    [this] { annotate_->acceptIntoSelected(false); });
    edit->addAction(tr("Cut Candidate from Selected Region\tAlt+Enter"), annotate_,
                    [this] { annotate_->acceptIntoSelected(true); });
    QAction* next = edit->addAction(tr("&Next Candidate\tTab"), annotate_, &AnnotateController::cycle);
    QAction* cancel = edit->addAction(tr("&Cancel Prompt\tEsc"), annotate_, &AnnotateController::cancel);
    edit->addSeparator();
    QAction* del =
        edit->addAction(tr("&Delete Region"), QKeySequence::Delete, annotate_, &AnnotateController::deleteSelected);
    QAction* fill = edit->addAction(tr("&Fill Holes"), QKeySequence(tr("Ctrl+H")), annotate_,
                                    &AnnotateController::fillHolesOfSelected);
    QAction* largest = edit->addAction(tr("Keep &Largest Part"), QKeySequence(tr("Ctrl+L")), annotate_,
                                       &AnnotateController::keepLargestPartOfSelected);
    QAction* flagged =
        edit->addAction(tr("Next &Flagged Region"), QKeySequence(tr("F3")), this, &MainWindow::nextFlagged);
    flagged->setToolTip(tr("The next region whose tokens rebuild it below the flag threshold (Region panel)"));
    projectActions_ << flagged;
    QMenu* status = edit->addMenu(tr("Image &Status"));
    const std::pair<ImageStatus, QString> statuses[] = {{ImageStatus::Unlabelled, QString()},
                                                        {ImageStatus::InProgress, tr("Ctrl+Shift+Return")},
                                                        {ImageStatus::Done, tr("Ctrl+Return")},
                                                        {ImageStatus::Reviewed, tr("Ctrl+Alt+Return")}};
    for (const auto& [st, key] : statuses) {
        QAction* a = status->addAction(tr("Mark %1").arg(ImageListModel::statusLabel(st)), this,
                                       [this, st = st] { setCurrentImageStatus(st); });
        if (!key.isEmpty()) a->setShortcut(QKeySequence(key));
        projectActions_ << a;
    }
    QAction* subtract = edit->addAction(tr("Polygon &Subtracts"), QKeySequence(tr("Ctrl+Shift+P")));
    subtract->setCheckable(true);
    subtract->setToolTip(tr("Polygons cut from the selected region instead of adding to it (holes)"));
    connect(subtract, &QAction::toggled, annotate_, &AnnotateController::setSubtractPolygons);
    projectActions_ << undo << redo << accept << next << cancel << del << fill << largest << subtract;
}

void MainWindow::buildToolBar(ToolsBar* bar) {
    classBox_ = bar->classBox();
    projectActions_ << bar->toolActions();
    view_->setTool(bar->currentTool());
    status_->setToolHint(bar->currentHint());
    connect(bar, &ToolsBar::toolChosen, this, [this](Tool tool, const QString& hint) {
        annotate_->cancel();
        view_->setTool(tool);
        status_->setToolHint(hint);
    });
    connect(bar, &ToolsBar::opacityChanged, view_, &ImageView::setOverlayOpacity);
    view_->setOverlayOpacity(QSettings().value(QStringLiteral("view/overlayOpacity"), 100).toInt() / 100.0);
    view_->setBrushRadius(QSettings().value(QStringLiteral("tools/brushRadius"), 12.0).toDouble());
    connect(view_, &ImageView::brushRadiusChanged, this,
            [](double r) { QSettings().setValue(QStringLiteral("tools/brushRadius"), r); });
    connect(classBox_, &ClassBox::classChosen, this, [this](std::optional<RowId> cls) {
        annotate_->setCurrentClass(cls);
        annotate_->setClassOfSelected(cls);
    });
    connect(classBox_, &ClassBox::newClassRequested, this, &MainWindow::addClass);
    for (int k = 1; k <= 9; ++k) {
        auto* sc = new QShortcut(QKeySequence(QString::number(k)), this);
        sc->setObjectName(QStringLiteral("classKey%1").arg(k));
        connect(sc, &QShortcut::activated, classBox_, [this, k] { classBox_->chooseNumber(k); });
    }
}

void MainWindow::showCheatSheet() {
    showKeyboardHelp(this, menuBar());
}

}  // namespace samtok::ui
