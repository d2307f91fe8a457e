#include "MainWindow.h"

#include "AnalyticsPanel.h"
#include "AnnotateController.h"
#include "ExportDialog.h"
#include "Icons.h"
#include "ImageListModel.h"
#include "ImageView.h"
#include "InferenceService.h"
#include "InspectController.h"
#include "MaskOverlay.h"
#include "PastePanel.h"
#include "ProjectSession.h"
#include "RegionInspector.h"
#include "RegionPanel.h"
#include "RegionTableModel.h"
#include "SettingsDialog.h"
#include "StartPage.h"
#include "TokenExplorer.h"
#include "io/ImageIO.h"
#include "mask/MaskMetrics.h"
#include "model/ModelConfig.h"
#include "model/Runtime.h"
#include "store/ProjectStore.h"
#include "tokens/TokenText.h"
#include "util/Error.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QProgressDialog>
#include <QSettings>
#include <QShortcut>
#include <QSlider>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThreadPool>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

#include <map>

namespace samtok::ui {

namespace {

// Bumped when the docks change, so that an old saved layout is not forced on new panels.
constexpr int kLayoutVersion = 2;

constexpr qint64 kLargeImagePixels = 16'000'000;  // above this, images decode off the UI thread

}  // namespace

MainWindow::MainWindow(ProjectSession* session, QWidget* parent)
    : QMainWindow(parent),
      session_(session),
      inference_(new InferenceService(this)),
      annotate_(new AnnotateController(session, inference_, this)),
      images_(new ImageListModel(this)),
      filter_(new ImageFilterModel(this)) {
    filter_->setSourceModel(images_);
    setAcceptDrops(true);
    resize(1400, 900);

    stack_ = new QStackedWidget;
    start_ = new StartPage;
    view_ = new ImageView;
    stack_->addWidget(start_);
    stack_->addWidget(view_);
    setCentralWidget(stack_);

    connect(start_, &StartPage::newProjectRequested, this, &MainWindow::newProject);
    connect(start_, &StartPage::openProjectRequested, this, &MainWindow::openProject);
    connect(start_, &StartPage::sampleProjectRequested, this, [this] { openSampleProject(); });
    connect(start_, &StartPage::recentProjectRequested, this, &MainWindow::openProjectFile);
    connect(session_, &ProjectSession::projectChanged, this, &MainWindow::onProjectChanged);
    connect(session_, &ProjectSession::imagesChanged, this, &MainWindow::onImagesChanged);

    buildDocks();
    buildActions();
    buildStatusBar();
    // The user's own arrangement of panels (a closed Analytics stays closed), from the last session.
    restoreGeometry(QSettings().value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(QSettings().value(QStringLiteral("window/state")).toByteArray(), kLayoutVersion);
    onProjectChanged();
    const StudioSettings settings = StudioSettings::load();
    inference_->setDevice(settings.device, settings.precision);
    inference_->setCacheBudget(static_cast<qulonglong>(settings.cacheMegabytes) << 20);
    inference_->loadDefaultModel();
}

MainWindow::~MainWindow() {
    // The child widgets are destroyed after this body and after the members. A caption field
    // losing its focus then emits editingFinished, which ran an edit and a refresh on this half-
    // destroyed window (and wrote a destroyed member: heap corruption at exit). Nothing a child
    // or the session says may reach the window from here on.
    for (QWidget* w : findChildren<QWidget*>()) w->blockSignals(true);
    disconnect(session_, nullptr, this, nullptr);
    disconnect(annotate_, nullptr, nullptr, nullptr);
    disconnect(inference_, nullptr, nullptr, nullptr);
}

void MainWindow::closeEvent(QCloseEvent* e) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
    QMainWindow::closeEvent(e);
}

// File ▸ Import Annotations: COCO, LabelMe and YOLO-seg, each one undoable step.
QList<QAction*> MainWindow::buildImportMenu(QMenu* importMenu) {
    auto runImport = [this](const QString& format, const QString& path, const QString& second) {
        if (path.isEmpty()) return;
        QApplication::setOverrideCursor(Qt::WaitCursor);
        const QString summary = session_->importAnnotations(format, path, second);
        QApplication::restoreOverrideCursor();
        refreshClassBox();
        refreshClassFilter();
        if (summary.startsWith(QLatin1String("Error: ")))
            showError(tr("Nothing was imported"), summary.mid(7));
        else
            statusBar()->showMessage(summary + tr(" (Ctrl+Z undoes it)"), 10000);
    };
    QAction* importCoco = importMenu->addAction(tr("&COCO Instances JSON…"), this, [this, runImport] {
        runImport(
            QStringLiteral("coco"),
            QFileDialog::getOpenFileName(this, tr("COCO instances JSON (images beside it)"), {}, tr("JSON (*.json)")),
            {});
    });
    QAction* importLabelMe = importMenu->addAction(tr("&LabelMe Folder…"), this, [this, runImport] {
        runImport(QStringLiteral("labelme"),
                  QFileDialog::getExistingDirectory(this, tr("Folder of LabelMe JSON files")), {});
    });
    QAction* importYolo = importMenu->addAction(tr("&YOLO-seg…"), this, [this, runImport] {
        const QString images = QFileDialog::getExistingDirectory(this, tr("YOLO-seg: the images folder"));
        if (images.isEmpty()) return;
        runImport(QStringLiteral("yolo"), images,
                  QFileDialog::getExistingDirectory(this, tr("YOLO-seg: the labels folder")));
    });
    return {importCoco, importLabelMe, importYolo};
}

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
        if (path.isEmpty()) return;
        userLoad_ = true;
        // The tokenizer stays; its prompt path becomes the original SAM2 decoder of this file.
        inference_->loadModel(inference_->model().checkpoint, path);
    });
    modelMenu->addAction(tr("Use the &Embedded Default"), this, [this] {
        userLoad_ = true;
        inference_->loadDefaultModel();
    });
}

void MainWindow::buildActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newAct = file->addAction(tr("&New Project…"), QKeySequence::New, this, &MainWindow::newProject);
    QAction* openAct = file->addAction(tr("&Open Project…"), QKeySequence::Open, this, &MainWindow::openProject);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &Sample Project"), this, [this] { openSampleProject(); });
    file->addSeparator();
    QAction* addFiles =
        file->addAction(tr("Add &Images…"), QKeySequence(tr("Ctrl+I")), this, &MainWindow::addImageFiles);
    QAction* addFolder =
        file->addAction(tr("Add &Folder…"), QKeySequence(tr("Ctrl+Shift+I")), this, &MainWindow::addImageFolder);
    const QList<QAction*> imports = buildImportMenu(file->addMenu(tr("Import &Annotations")));
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
    buildModelMenu(menuBar()->addMenu(tr("&Model")));
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    projectActions_ = QList<QAction*>{addFiles, addFolder, closeAct, exportAct} + imports;

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* fit = view->addAction(tr("&Fit to Window"), QKeySequence(tr("F")), view_, &ImageView::fitToWindow);
    QAction* actual =
        view->addAction(tr("&Actual Size (100 %)"), QKeySequence(tr("Ctrl+0")), view_, &ImageView::actualSize);
    QAction* zin = view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, view_, &ImageView::zoomIn);
    QAction* zout = view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, view_, &ImageView::zoomOut);
    view->addSeparator();
    QAction* next = view->addAction(tr("&Next Image"), QKeySequence(tr("D")), this, &MainWindow::nextImage);
    QAction* prev = view->addAction(tr("&Previous Image"), QKeySequence(tr("A")), this, &MainWindow::previousImage);
    projectActions_ << fit << actual << zin << zout << next << prev;
    view->addSeparator();
    QAction* showExplorer = explorerDock_->toggleViewAction();
    showExplorer->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    showExplorer->setToolTip(tr("Pick any two codes and see the mask they decode to on this image"));
    view->addAction(showExplorer);
    QAction* showAnalytics = analyticsDock_->toggleViewAction();
    showAnalytics->setShortcut(QKeySequence(tr("Ctrl+Shift+A")));
    showAnalytics->setToolTip(tr("Reconstruction IoU by class and size, code usage, the worst regions"));
    view->addAction(showAnalytics);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    menuBar()->insertMenu(view->menuAction(), edit);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard and Mouse"), QKeySequence::HelpContents, this, &MainWindow::showCheatSheet);
    help->addAction(tr("&About SAMTok Studio"), this, [this] {
        QMessageBox::about(this, tr("About SAMTok Studio"),
                           tr("<b>SAMTok Studio %1</b><p>Annotate image regions and turn each mask into two "
                              "SAMTok tokens.</p>")
                               .arg(QApplication::applicationVersion()));
    });

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolBar");
    bar->setMovable(false);
    bar->addAction(newAct);
    bar->addAction(openAct);
    bar->addAction(addFiles);
    bar->addAction(addFolder);
    bar->addSeparator();
    bar->addAction(prev);
    bar->addAction(next);
    bar->addSeparator();
    bar->addAction(fit);
    bar->addAction(actual);
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::refreshRecentMenu);
    addToolBarBreak();  // the tools get a row of their own
    QToolBar* tools = addToolBar(tr("Tools"));
    tools->setObjectName("toolsToolBar");
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);  // icons to find a tool at a glance, names to learn them
    buildTools(tools, edit);
    // Stable names, so that shortcuts can be edited and remembered.
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
    applySavedShortcuts(this);
}

void MainWindow::buildTools(QToolBar* bar, QMenu* edit) {
    buildEditMenu(edit);
    buildToolBar(bar);
    connectCanvas();
    buildEmbeddingProgress();
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
    QAction* subtract = edit->addAction(tr("Polygon &Subtracts"), QKeySequence(tr("Ctrl+-")));
    subtract->setCheckable(true);
    subtract->setToolTip(tr("Polygons cut from the selected region instead of adding to it (holes)"));
    connect(subtract, &QAction::toggled, annotate_, &AnnotateController::setSubtractPolygons);
    projectActions_ << undo << redo << accept << next << cancel << del << fill << largest << subtract;
}

void MainWindow::buildToolBar(QToolBar* bar) {
    auto* group = new QActionGroup(this);
    struct ToolInfo {
        Tool tool;
        QString name, key, tip, icon;
    };
    const ToolInfo infos[] = {
        {Tool::Navigate, tr("Select"), tr("V"),
         tr("Select a region (click it); pan with space-drag or the middle button"), QStringLiteral("tool-select")},
        {Tool::Click, tr("Click"), tr("C"),
         tr("Left click: positive point; right or shift-click: negative; drag: box. Enter accepts, Tab cycles, Esc "
            "cancels"),
         QStringLiteral("tool-click")},
        {Tool::Brush, tr("Brush"), tr("B"),
         tr("Paint a new region, or add to the selected one. [ and ] or Ctrl+wheel: size"),
         QStringLiteral("tool-brush")},
        {Tool::Eraser, tr("Eraser"), tr("E"), tr("Erase from the selected region. [ and ] or Ctrl+wheel: size"),
         QStringLiteral("tool-eraser")},
        {Tool::Polygon, tr("Polygon"), tr("P"),
         tr("Click vertices; double-click, Enter or a click on the first vertex closes; Backspace removes the last"),
         QStringLiteral("tool-polygon")},
    };
    for (const auto& info : infos) {
        QAction* a = bar->addAction(resourceIcon(info.icon), info.name);
        a->setCheckable(true);
        a->setShortcut(QKeySequence(info.key));
        a->setToolTip(QStringLiteral("%1 (%2)\n%3").arg(info.name, info.key, info.tip));
        a->setData(static_cast<int>(info.tool));
        a->setObjectName(QStringLiteral("tool") + info.name);
        group->addAction(a);
        projectActions_ << a;
        if (info.tool == Tool::Click) a->setChecked(true);
    }
    view_->setTool(Tool::Click);
    connect(group, &QActionGroup::triggered, this, [this](QAction* a) {
        annotate_->cancel();
        view_->setTool(static_cast<Tool>(a->data().toInt()));
        toolHint_->setText(a->toolTip().replace('\n', QStringLiteral(" — ")));
    });
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Opacity ")));
    auto* opacity = new QSlider(Qt::Horizontal);
    opacity->setObjectName("overlayOpacity");
    opacity->setRange(0, 100);
    opacity->setFixedWidth(90);
    opacity->setToolTip(tr("Opacity of the drawn regions"));
    connect(opacity, &QSlider::valueChanged, this, [this](int v) {
        view_->setOverlayOpacity(v / 100.0);
        QSettings().setValue(QStringLiteral("view/overlayOpacity"), v);
    });
    opacity->setValue(QSettings().value(QStringLiteral("view/overlayOpacity"), 100).toInt());
    bar->addWidget(opacity);
    view_->setBrushRadius(QSettings().value(QStringLiteral("tools/brushRadius"), 12.0).toDouble());
    connect(view_, &ImageView::brushRadiusChanged, this,
            [](double r) { QSettings().setValue(QStringLiteral("tools/brushRadius"), r); });
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Class ")));
    classBox_ = new QComboBox;
    classBox_->setMinimumContentsLength(14);
    classBox_->setToolTip(tr("Class of new regions, and of the selected one (1-9)"));
    bar->addWidget(classBox_);
    connect(classBox_, qOverload<int>(&QComboBox::activated), this, &MainWindow::onClassChosen);
    for (int k = 1; k <= 9; ++k) {
        auto* sc = new QShortcut(QKeySequence(QString::number(k)), this);
        connect(sc, &QShortcut::activated, this, [this, k] {
            if (k < classBox_->count() - 1) {  // past "(no class)" ... before "New class…"
                classBox_->setCurrentIndex(k);
                onClassChosen(k);
            }
        });
    }
    toolHint_ = new QLabel;  // shown in the status bar: what the tool is doing
    toolHint_->setObjectName("toolHint");
    for (QAction* a : group->actions())
        if (a->isChecked()) toolHint_->setText(a->toolTip().replace('\n', QStringLiteral(" — ")));
}

void MainWindow::connectCanvas() {
    // Gestures from the canvas to the controller, results back to the canvas.
    connect(view_, &ImageView::pointClicked, annotate_, &AnnotateController::addPoint);
    connect(view_, &ImageView::boxDrawn, annotate_, &AnnotateController::setBox);
    connect(view_, &ImageView::strokeFinished, annotate_, &AnnotateController::applyStroke);
    connect(view_, &ImageView::polygonFinished, annotate_, &AnnotateController::applyPolygon);
    connect(view_, &ImageView::regionClicked, annotate_, &AnnotateController::pickAt);
    connect(view_, &ImageView::hovered, annotate_, &AnnotateController::hoverAt);
    connect(annotate_, &AnnotateController::hoverChanged, view_, &ImageView::setHover);
    connect(view_, &ImageView::acceptRequested, annotate_, &AnnotateController::accept);
    connect(view_, &ImageView::mergeRequested, annotate_, &AnnotateController::acceptIntoSelected);
    connect(view_, &ImageView::cycleRequested, annotate_, &AnnotateController::cycle);
    connect(view_, &ImageView::cancelRequested, this, [this] {
        if (!annotate_->hasCandidate()) annotate_->select(std::nullopt);  // Esc with nothing pending: deselect
        annotate_->cancel();
    });
    connect(annotate_, &AnnotateController::candidateChanged, this, [this](const QImage& overlay, const QString& info) {
        view_->setCandidate(overlay);
        toolHint_->setText(info);
    });
    connect(annotate_, &AnnotateController::markersChanged, view_, &ImageView::setPromptMarkers);
    connect(annotate_, &AnnotateController::busyChanged, this, [this](bool busy) {
        if (busy) toolHint_->setText(tr("Working…"));
    });
    connect(annotate_, &AnnotateController::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(annotate_, &AnnotateController::selectionChanged, this, &MainWindow::refreshRegions);
    connect(session_, &ProjectSession::regionsChanged, this, [this](RowId image) {
        if (image != 0 && image != currentImage_) return;  // 0: anywhere (an import)
        annotate_->regionsChanged();
        refreshRegions();
    });
    connect(session_, &ProjectSession::changedElsewhere, this, [this] {
        refreshClassBox();  // another program may have added classes (an import)
    });
    connect(inference_, &InferenceService::leftoversTokenized, this, [this](int annotations, const QString& error) {
        if (!error.isEmpty())
            statusBar()->showMessage(tr("Tokens of regions left without them could not be computed: %1").arg(error),
                                     10000);
        else if (annotations > 0)
            statusBar()->showMessage(tr("Computed the tokens of %n region(s) left without them when the studio last "
                                        "closed",
                                        nullptr, annotations),
                                     10000);
    });
    connect(session_, &ProjectSession::editFailed, this,
            [this](const QString& m) { showError(tr("The change was not saved"), m); });
    connect(inference_, &InferenceService::imageTokenized, this, [this](RowId image, int, const QString& error) {
        if (!error.isEmpty()) statusBar()->showMessage(tr("Tokens could not be computed: %1").arg(error), 10000);
        session_->acknowledgeOwnCommits();  // refreshed here, not again by the watch for other writers
        if (image == currentImage_) refreshRegions();
        emit tokenizingFinished();
    });
}

void MainWindow::buildEmbeddingProgress() {
    embeddingBar_ = new QProgressBar;
    embeddingBar_->setRange(0, 0);  // busy: a network pass has no steps to count
    embeddingBar_->setMaximumWidth(120);
    embeddingBar_->hide();
    cancelEmbedding_ = new QToolButton;
    cancelEmbedding_->setText(tr("Cancel"));
    cancelEmbedding_->setToolTip(
        tr("Drop the click waiting for this image's embedding. The embedding itself finishes "
           "in the background and is kept for when you come back."));
    cancelEmbedding_->hide();
    connect(cancelEmbedding_, &QToolButton::clicked, this, [this] {
        annotate_->cancel();
        embeddingBar_->hide();
        cancelEmbedding_->hide();
        toolHint_->setText(tr("Cancelled"));
    });
    connect(inference_, &InferenceService::embeddingStarted, this, [this](RowId image) {
        if (image != currentImage_) return;
        toolHint_->setText(tr("Computing the image embedding…"));
        embeddingBar_->show();
        cancelEmbedding_->show();
    });
    connect(inference_, &InferenceService::embeddingFinished, this, [this](RowId image, double ms) {
        if (image != currentImage_) return;
        embeddingBar_->hide();
        cancelEmbedding_->hide();
        toolHint_->setText(tr("Image ready (%1 ms)").arg(ms, 0, 'f', 0));
    });
}

void MainWindow::showCheatSheet() {
    QString html = tr(
        "<h3>Canvas</h3><table cellpadding=3>"
        "<tr><td><b>Click tool</b></td><td>left click: positive point; right or shift-click: negative point; "
        "drag: box</td></tr>"
        "<tr><td><b>Enter / Tab / Esc</b></td><td>accept the candidate / next candidate / cancel (or "
        "deselect)</td></tr>"
        "<tr><td><b>Shift+Enter / Alt+Enter</b></td><td>add the candidate to / cut it from the selected "
        "region</td></tr>"
        "<tr><td><b>Brush, Eraser</b></td><td>drag to paint; a selected region grows or shrinks, otherwise "
        "the brush makes a new one; [ and ] or Ctrl+wheel: size</td></tr>"
        "<tr><td><b>Polygon</b></td><td>click vertices; double-click, Enter or the first vertex closes; "
        "Backspace or right click removes the last; Edit ▸ Polygon Subtracts cuts holes</td></tr>"
        "<tr><td><b>Select tool</b></td><td>click a region to select it (the smallest one under the cursor)</td></tr>"
        "<tr><td><b>Wheel / space-drag / middle drag</b></td><td>zoom / pan / pan</td></tr>"
        "<tr><td><b>1 … 9</b></td><td>class of new regions and of the selected one</td></tr>"
        "</table><h3>Menus</h3><table cellpadding=3>");
    for (QAction* menu : menuBar()->actions()) {
        if (!menu->menu()) continue;
        for (QAction* a : menu->menu()->actions()) {
            QString key = a->shortcut().toString(QKeySequence::NativeText);
            QString text = a->text();
            if (const int tab = text.indexOf('\t'); tab >= 0) key = text.mid(tab + 1), text = text.left(tab);
            if (key.isEmpty() || a->isSeparator()) continue;
            html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(key.toHtmlEscaped(), text.remove('&').toHtmlEscaped());
        }
    }
    html += QStringLiteral("</table>");
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard and Mouse"), html, QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.exec();
}

void MainWindow::nextFlagged() {
    if (!session_->isOpen()) return;
    if (!session_->activeTokenizerId()) {
        statusBar()->showMessage(tr("No tokens of the loaded model in this project"), 6000);
        return;
    }
    const auto next =
        session_->nextFlagged({currentImage_, annotate_->selected().value_or(0)}, regionPanel_->flagThreshold());
    if (!next) {
        statusBar()->showMessage(tr("No region is rebuilt below IoU %1").arg(regionPanel_->flagThreshold()), 6000);
        return;
    }
    jumpToRegion(next->imageId, next->annotationId);
    statusBar()->showMessage(tr("Flagged region %1 of %2").arg(next->index).arg(next->total), 6000);
}

void MainWindow::jumpToRegion(RowId imageId, RowId annotationId) {
    if (!session_->isOpen()) return;
    if (imageId != currentImage_) {
        // The region must be reachable whatever the list shows: drop the filters.
        filter_->setStatusFilter(-1);
        statusFilter_->setCurrentIndex(0);
        filter_->setNameFilter({});
        filter_->setImageSubset(std::nullopt);
        classFilter_->setCurrentIndex(0);
        search_->clear();
        const int row = images_->rowOfImage(imageId);
        if (row >= 0) list_->setCurrentIndex(filter_->mapFromSource(images_->index(row)));
    }
    annotate_->select(annotationId);
}

void MainWindow::refreshClassFilter() {
    classFilter_->clear();
    classFilter_->addItem(tr("Any class"), QVariant());
    for (const LabelClass& c : session_->classes()) {
        classFilter_->addItem(colourSwatch(QColor(QString::fromStdString(c.color))), QString::fromStdString(c.name),
                              QVariant::fromValue<qlonglong>(c.id));
    }
    filter_->setImageSubset(std::nullopt);
}

void MainWindow::setCurrentImageStatus(ImageStatus status) {
    if (!session_->isOpen() || !currentImage_) return;
    session_->setImageStatus(currentImage_, status);
    const auto rec = session_->image(currentImage_);
    if (!rec || rec->status != status) return;  // not saved: editFailed said why
    images_->setStatus(currentImage_, status);
    statusBar()->showMessage(tr("Marked %1").arg(ImageListModel::statusLabel(status).toLower()), 4000);
}

void MainWindow::refreshClassBox() {
    const QVariant keep = classBox_->currentData();
    classBox_->clear();
    classBox_->addItem(tr("(no class)"), QVariant());
    int k = 1;
    for (const LabelClass& c : session_->classes()) {
        classBox_->addItem(colourSwatch(QColor(QString::fromStdString(c.color))),
                           k <= 9 ? QStringLiteral("%1  %2").arg(k).arg(QString::fromStdString(c.name))
                                  : QString::fromStdString(c.name),
                           QVariant::fromValue<qlonglong>(c.id));
        ++k;
    }
    classBox_->addItem(tr("New class…"), QStringLiteral("new"));
    const int i = classBox_->findData(keep);
    classBox_->setCurrentIndex(i >= 0 ? i : 0);
}

void MainWindow::onClassChosen(int index) {
    const QVariant d = classBox_->itemData(index);
    if (d.toString() == QLatin1String("new")) {
        bool ok = false;
        const QString name =
            QInputDialog::getText(this, tr("New Class"), tr("Name of the new class:"), QLineEdit::Normal, {}, &ok);
        if (!ok || name.trimmed().isEmpty()) {
            classBox_->setCurrentIndex(0);
            return;
        }
        const RowId id = session_->addClass(name);
        refreshClassBox();
        refreshClassFilter();
        const int i = classBox_->findData(QVariant::fromValue<qlonglong>(id));
        classBox_->setCurrentIndex(std::max(i, 0));
        onClassChosen(classBox_->currentIndex());
        return;
    }
    const std::optional<RowId> cls = d.isValid() ? std::optional<RowId>(d.toLongLong()) : std::nullopt;
    annotate_->setCurrentClass(cls);
    annotate_->setClassOfSelected(cls);
}

// The image list, its search and filters.
void MainWindow::buildImagesDock() {
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    search_ = new QLineEdit;
    search_->setPlaceholderText(tr("Search by name"));
    search_->setClearButtonEnabled(true);
    statusFilter_ = new QComboBox;
    statusFilter_->addItem(tr("All images"), -1);
    for (ImageStatus s : {ImageStatus::Unlabelled, ImageStatus::InProgress, ImageStatus::Done, ImageStatus::Reviewed})
        statusFilter_->addItem(ImageListModel::statusLabel(s), static_cast<int>(s));
    list_ = new QListView;
    list_->setModel(filter_);
    list_->setUniformItemSizes(true);  // virtualised layout: O(1) per row
    list_->setIconSize(QSize(ImageListModel::kThumbnailHeight * 4 / 3, ImageListModel::kThumbnailHeight));
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Letters are tool shortcuts (B, C, P, ...), not the list's type-ahead search: keep the keyboard on the canvas.
    list_->setFocusPolicy(Qt::ClickFocus);
    listCount_ = new QLabel;
    layout->addWidget(search_);
    layout->addWidget(statusFilter_);
    classFilter_ = new QComboBox;
    classFilter_->setObjectName("classFilter");
    classFilter_->setToolTip(tr("Only images with a region of this class"));
    layout->addWidget(classFilter_);
    layout->addWidget(list_, 1);
    layout->addWidget(listCount_);

    auto* dock = new QDockWidget(tr("Images"), this);
    dock->setObjectName("imagesDock");
    dock->setFeatures(QDockWidget::DockWidgetMovable);
    dock->setWidget(panel);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
}

// The regions table, the Region panel and Paste & Decode (tabbed with it); returns the Region panel's dock.
QDockWidget* MainWindow::buildRegionDocks() {
    regions_ = new RegionTableModel(this);
    annotations_ = new QTreeView;
    annotations_->setObjectName(QStringLiteral("annotations"));
    annotations_->setModel(regions_);
    annotations_->setRootIsDecorated(false);
    annotations_->setUniformRowHeights(true);
    annotations_->setSelectionMode(QAbstractItemView::SingleSelection);
    annotations_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* annDock = new QDockWidget(tr("Annotations"), this);
    annDock->setObjectName("annotationsDock");
    annDock->setFeatures(QDockWidget::DockWidgetMovable);
    annDock->setWidget(annotations_);
    addDockWidget(Qt::RightDockWidgetArea, annDock);
    regionPanel_ = new RegionPanel(session_);
    auto* propDock = new QDockWidget(tr("Region"), this);
    propDock->setObjectName("regionDock");
    propDock->setFeatures(QDockWidget::DockWidgetMovable);
    propDock->setWidget(regionPanel_);
    addDockWidget(Qt::RightDockWidgetArea, propDock);
    // Wide enough for a whole token string next to its IoU.
    resizeDocks({annDock}, {470}, Qt::Horizontal);
    pastePanel_ = new PastePanel;
    auto* pasteDock = new QDockWidget(tr("Paste && Decode"), this);
    pasteDock->setObjectName("pasteDock");
    pasteDock->setFeatures(QDockWidget::DockWidgetMovable);
    pasteDock->setWidget(pastePanel_);
    addDockWidget(Qt::RightDockWidgetArea, pasteDock);
    tabifyDockWidget(propDock, pasteDock);
    propDock->raise();
    return propDock;
}

void MainWindow::connectPastePanel() {
    connect(pastePanel_, &PastePanel::decodeRequested, this, [this](const QString& text) {
        if (!session_->isOpen() || !currentImage_) return;
        QStringList notes;
        const auto groups = parsePasted(text, session_->activeCodebookSize(), &notes);
        pastePanel_->showGroups(groups, notes);
        if (groups.empty()) return;
        std::vector<std::pair<int, int>> codes;
        for (const auto& g : groups) codes.emplace_back(g.c0, g.c1);
        const auto rec = session_->image(currentImage_);
        if (!rec) return;
        pasteRequest_ = inference_->nextRequestId();
        inference_->decodeCodes(pasteRequest_, currentImage_, rec->file, rec->checksum, codes);
    });
    connect(inference_, &InferenceService::codesDecoded, this, [this](const CodesDecode& r) {
        if (r.id != pasteRequest_ || r.imageId != currentImage_) return;
        pastePanel_->showMasks(r.masks, r.predictedIou, r.error);
    });
    connect(pastePanel_, &PastePanel::groupChosen, this, [this](int i) {
        const Mask* m = pastePanel_->mask(i);
        view_->setCandidate(m ? renderCandidate(*m) : QImage());
    });
    connect(pastePanel_, &PastePanel::acceptRequested, this, [this](int i) {
        const Mask* m = pastePanel_->mask(i);
        const PastedGroup* g = pastePanel_->group(i);
        if (!m || !g || m->area() == 0 || !currentImage_) return;
        Annotation a;
        a.imageId = currentImage_;
        a.classId = annotate_->currentClass();
        a.mask = rle::encode(*m);
        a.source = AnnotationSource::Import;
        edit::RegionEdit e = edit::createRegion(tr("Keep decoded region").toStdString(), a);
        if (!g->label.isEmpty()) e.changes[0].after->expressions = {g->label.toStdString()};
        session_->apply(std::move(e));
        view_->setCandidate({});
        if (inference_->hasModel()) inference_->tokenizeImage(session_->projectPath(), currentImage_);
    });
}

void MainWindow::buildDocks() {
    buildImagesDock();
    QDockWidget* propDock = buildRegionDocks();
    connectPastePanel();
    buildInspectDocks(propDock);
    connect(regionPanel_, &RegionPanel::classChosen, annotate_, &AnnotateController::setClassOfSelected);
    connect(regionPanel_, &RegionPanel::textChanged, annotate_, &AnnotateController::describe);
    connect(regionPanel_, &RegionPanel::flagThresholdChanged, regions_, &RegionTableModel::setFlagThreshold);
    regions_->setFlagThreshold(regionPanel_->flagThreshold());
    regionInspector_ = new RegionInspector(session_, inference_, annotate_, regionPanel_, view_, this);

    connect(search_, &QLineEdit::textChanged, this, [this](const QString& t) {
        filter_->setNameFilter(t);
        onImagesChanged();
    });
    connect(classFilter_, qOverload<int>(&QComboBox::activated), this, [this] {
        const QVariant d = classFilter_->currentData();
        if (!d.isValid() || !session_->isOpen()) {
            filter_->setImageSubset(std::nullopt);
        } else {
            const auto ids = session_->imagesWithClass(d.toLongLong());
            filter_->setImageSubset(std::set<RowId>(ids.begin(), ids.end()));
        }
        onImagesChanged();
    });
    connect(statusFilter_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        filter_->setStatusFilter(statusFilter_->currentData().toInt());
        onImagesChanged();
    });
    connect(list_->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onCurrentRowChanged);
    connect(annotations_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QModelIndexList rows = annotations_->selectionModel()->selectedRows();
        const RowId id = rows.isEmpty() ? 0 : regions_->regionAt(rows.front().row());
        annotate_->select(id ? std::optional<RowId>(id) : std::nullopt);
    });
}

void MainWindow::buildInspectDocks(QDockWidget* besides) {
    explorer_ = new TokenExplorer;
    explorerDock_ = new QDockWidget(tr("Token Explorer"), this);
    explorerDock_->setObjectName("explorerDock");
    explorerDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    explorerDock_->setWidget(explorer_);
    addDockWidget(Qt::RightDockWidgetArea, explorerDock_);
    tabifyDockWidget(besides, explorerDock_);
    besides->raise();
    analytics_ = new AnalyticsPanel;
    analyticsDock_ = new QDockWidget(tr("Analytics"), this);
    analyticsDock_->setObjectName("analyticsDock");
    analyticsDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                                QDockWidget::DockWidgetFloatable);
    analyticsDock_->setWidget(analytics_);
    // The side panels keep their full height; the plots sit under the image.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, analyticsDock_);
    resizeDocks({analyticsDock_}, {280}, Qt::Vertical);

    inspect_ = new InspectController(session_, inference_, view_, annotate_, explorer_, analytics_, this);
    connect(explorerDock_, &QDockWidget::visibilityChanged, inspect_, &InspectController::setExplorerVisible);
    connect(analyticsDock_, &QDockWidget::visibilityChanged, inspect_, &InspectController::setAnalyticsVisible);
    connect(inspect_, &InspectController::jumpRequested, this, &MainWindow::jumpToRegion);
    connect(analytics_, &AnalyticsPanel::pairActivated, explorerDock_, [this] {
        explorerDock_->show();
        explorerDock_->raise();
    });
    // Live: the plots follow the tokens as they are written.
    connect(inference_, &InferenceService::imageTokenized, inspect_, &InspectController::scheduleRefresh);
    connect(inference_, &InferenceService::tokenizeProgress, inspect_, &InspectController::scheduleRefresh);
    connect(inference_, &InferenceService::tokenizeFinished, inspect_, &InspectController::scheduleRefresh);
    connect(session_, &ProjectSession::regionsChanged, inspect_, &InspectController::scheduleRefresh);
    connect(regionPanel_, &RegionPanel::flagThresholdChanged, inspect_, &InspectController::setFlagThreshold);
    inspect_->setFlagThreshold(regionPanel_->flagThreshold());
}

void MainWindow::buildStatusBar() {
    modelLabel_ = new QLabel;
    runtimeLabel_ = new QLabel;
    imageLabel_ = new QLabel;
    zoomLabel_ = new QLabel;
    // Until a tokenizer is loaded the app still browses and shows masks; say so plainly.
    modelLabel_->setText(tr("No model loaded: tokens unavailable"));
    modelLabel_->setToolTip(tr("No SAMTok tokenizer is loaded, so masks cannot be turned into tokens yet."));
    connect(inference_, &InferenceService::modelLoading, this,
            [this](const QString& what) { modelLabel_->setText(tr("Loading %1…").arg(what)); });
    connect(inference_, &InferenceService::modelReady, this, &MainWindow::onModelReady);
    connect(inference_, &InferenceService::modelFailed, this, [this](const QString& what, const QString& error) {
        if (inference_->hasModel()) {
            onModelReady(inference_->model());
        } else {
            modelLabel_->setText(tr("No model loaded: tokens unavailable"));
            modelLabel_->setToolTip(tr("%1 could not be loaded:\n%2").arg(what, error));
        }
        // A model the user chose gets a dialog; the automatic start-up load only
        // marks the status bar, so a damaged default never blocks the app.
        if (userLoad_)
            showError(tr("Cannot load %1").arg(what), error);
        else
            statusBar()->showMessage(tr("%1 could not be loaded: %2").arg(what, error), 15000);
        userLoad_ = false;
    });
    const runtime::Info rt = runtime::info();
    runtimeLabel_->setText(tr("LibTorch %1 · %2 · %3 threads")
                               .arg(QString::fromStdString(rt.libtorchVersion))
                               .arg(QString::fromStdString(rt.device).toUpper())
                               .arg(rt.threads));
    tokenizeBar_ = new QProgressBar;
    tokenizeBar_->setMaximumWidth(180);
    tokenizeBar_->setFormat(tr("Tokenizing %v/%m"));
    tokenizeBar_->hide();
    cancelTokenize_ = new QToolButton;
    cancelTokenize_->setText(tr("Cancel"));
    cancelTokenize_->hide();
    connect(cancelTokenize_, &QToolButton::clicked, inference_, &InferenceService::cancelTokenizing);
    connect(inference_, &InferenceService::tokenizeProgress, this, [this](int done, int total) {
        tokenizeBar_->setRange(0, total);
        tokenizeBar_->setValue(done);
    });
    connect(inference_, &InferenceService::tokenizeFinished, this,
            [this](int annotations, int skipped, bool cancelled, const QString& error) {
                tokenizeBar_->hide();
                cancelTokenize_->hide();
                tokenizeAction_->setEnabled(session_->isOpen());
                if (!error.isEmpty()) {
                    showError(tr("Tokenizing stopped"), error);
                    return;
                }
                QString msg = cancelled ? tr("Tokenizing cancelled after %n annotation(s); the rest can be resumed",
                                             nullptr, annotations)
                                        : tr("Tokenized %n annotation(s)", nullptr, annotations);
                if (skipped > 0) msg += tr("; %n image(s) could not be read", nullptr, skipped);
                statusBar()->showMessage(msg, 10000);
                emit tokenizingFinished();
                refreshRegions();  // the new tokens; the selection stays
            });
    statusBar()->addWidget(imageLabel_);
    statusBar()->addWidget(toolHint_, 1);
    statusBar()->addPermanentWidget(embeddingBar_);
    statusBar()->addPermanentWidget(cancelEmbedding_);
    statusBar()->addPermanentWidget(tokenizeBar_);
    statusBar()->addPermanentWidget(cancelTokenize_);
    statusBar()->addPermanentWidget(zoomLabel_);
    statusBar()->addPermanentWidget(modelLabel_);
    statusBar()->addPermanentWidget(runtimeLabel_);
    connect(view_, &ImageView::zoomChanged, this,
            [this](double z) { zoomLabel_->setText(QStringLiteral("%1 %").arg(qRound(z * 100))); });
}

void MainWindow::onModelReady(const ModelSummary& m) {
    userLoad_ = false;
    session_->setActiveTokenizer(ActiveTokenizer{m.name, m.sha256, m.codebookSize});
    tokenizeRenderedSample();
    tokenizeLeftovers();
    if (session_->isOpen() && currentImage_) showImage(currentImage_);  // tokens of this model, if the project has them
    modelLabel_->setText(tr("%1 · %2").arg(m.name, m.sha256.left(8)));
    QString tip = tr("Model: %1\nFile: %2\nSHA-256: %3\nParameters: %4\nDevice: %5, %6, %7 threads")
                      .arg(m.name, m.checkpoint, m.sha256)
                      .arg(m.parameters)
                      .arg(m.device, m.precision)
                      .arg(m.threads);
    if (m.isDefault)
        tip +=
            tr("\n\nThe embedded micro model: its tokens are not those of the official SAMTok. For datasets meant "
               "for Qwen-VL-SAMTok, load mask_tokenizer_256x2.pth (Model ▸ Load Checkpoint).");
    modelLabel_->setToolTip(tip);
}

void MainWindow::loadModelCheckpoint() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load Model Checkpoint"), QString(),
                                                      tr("Checkpoints (*.pth *.pt *.safetensors);;All files (*)"));
    if (path.isEmpty()) return;
    userLoad_ = true;
    inference_->loadModel(path);
}

QString MainWindow::statusMessage() const {
    return QStringList{imageLabel_->text(), zoomLabel_->text(), modelLabel_->text(), runtimeLabel_->text()}.join(" | ");
}

void MainWindow::updateTitle() {
    setWindowTitle(session_->isOpen() ? tr("%1 — SAMTok Studio").arg(session_->projectName()) : tr("SAMTok Studio"));
}

void MainWindow::onProjectChanged() {
    tokenizeSampleWhenReady_ = false;  // another project was opened before the model was ready
    inference_->closeProject();        // the worker reopens the new one at its first job
    refreshClassBox();
    refreshClassFilter();
    images_->reload(session_->images());
    currentImage_ = 0;
    inspect_->setImage(0, {});
    inspect_->scheduleRefresh();
    regions_->setRows({});
    view_->clear();
    for (QAction* a : projectActions_) a->setEnabled(session_->isOpen());
    stack_->setCurrentWidget(session_->isOpen() ? static_cast<QWidget*>(view_) : start_);
    start_->setRecentProjects(ProjectSession::recentProjects());
    updateTitle();
    onImagesChanged();
    tokenizeLeftovers();
    if (session_->isOpen() && filter_->rowCount() > 0) list_->setCurrentIndex(filter_->index(0, 0));
    if (session_->isOpen() && images_->rowCount() == 0)
        view_->showMessage(
            tr("This project has no images yet.\nAdd some with File ▸ Add Images (Ctrl+I),\n"
               "File ▸ Add Folder, or drop files here."));
}

// Regions drawn here get their tokens right after each edit; a studio killed in
// between leaves them with none. They get the loaded model's when the project is
// next open with a model that can tokenize (imported regions, and regions with
// another model's tokens, wait for Tokenize Project).
void MainWindow::tokenizeLeftovers() {
    if (session_->isOpen() && inference_->canTokenize()) inference_->tokenizeLeftovers(session_->projectPath());
}

void MainWindow::onImagesChanged() {
    if (session_->isOpen() && images_->rowCount() != static_cast<int>(session_->imageCount())) {
        const RowId keep = currentImage_;
        images_->reload(session_->images());
        const int row = images_->rowOfImage(keep);
        if (row >= 0) list_->setCurrentIndex(filter_->mapFromSource(images_->index(row)));
    }
    listCount_->setText(filter_->rowCount() == images_->rowCount()
                            ? tr("%n image(s)", nullptr, images_->rowCount())
                            : tr("%1 of %2 images").arg(filter_->rowCount()).arg(images_->rowCount()));
}

void MainWindow::onCurrentRowChanged() {
    const QModelIndex i = list_->currentIndex();
    if (!i.isValid()) return;
    showImage(i.data(ImageListModel::ImageIdRole).toLongLong());
}

void MainWindow::showImage(RowId id) {
    currentImage_ = id;
    regions_->setRows({});
    imageSize_ = {};         // until the pixels are here, nothing is drawn for the old size
    annotate_->setImage(0);  // no click may land on the previous image meanwhile
    // Very large images decode off the UI thread: the window stays responsive meanwhile.
    const auto rec = session_->image(id);
    if (rec && static_cast<qint64>(rec->width) * rec->height > kLargeImagePixels) {
        view_->showMessage(
            tr("Opening %1 (%2 x %3 px)…").arg(QFileInfo(rec->file).fileName()).arg(rec->width).arg(rec->height));
        const std::string path = rec->file.toStdString();
        QPointer<MainWindow> self(this);
        QThreadPool::globalInstance()->start([self, id, path] {
            QImage image;
            QString error;
            try {
                const DecodedImage img = readImage(path);
                image = QImage(img.rgb.data, img.rgb.cols, img.rgb.rows, static_cast<int>(img.rgb.step),
                               QImage::Format_RGB888)
                            .copy();
            } catch (const std::exception& e) {
                error = QString::fromStdString(e.what());
            }
            QMetaObject::invokeMethod(
                self.data(),
                [self, id, image, error] {
                    if (self) self->finishShowing(id, image, error);
                },
                Qt::QueuedConnection);
        });
        return;
    }
    const LoadedImage loaded = session_->loadImage(id);
    finishShowing(id, loaded.image, loaded.error);
}

void MainWindow::finishShowing(RowId id, const QImage& image, const QString& error) {
    if (id != currentImage_) return;  // the user has moved on
    if (!error.isEmpty()) {
        view_->showMessage(tr("Cannot show this image:\n%1").arg(error));
        imageLabel_->setText(error);
        imageSize_ = {};
        return;
    }
    imageSize_ = image.size();
    view_->setImage(image);
    if (!search_->hasFocus()) view_->setFocus(Qt::OtherFocusReason);
    annotate_->setImage(id);  // refreshes the regions through selectionChanged
    inspect_->setImage(id, image);
    prefetchNeighbours();
}

void MainWindow::prefetchNeighbours() {
    if (!inference_->hasModel()) return;
    const int row = list_->currentIndex().row();
    for (int r : {row, row + 1, row - 1}) {
        if (r < 0 || r >= filter_->rowCount()) continue;
        const RowId id = filter_->index(r, 0).data(ImageListModel::ImageIdRole).toLongLong();
        if (const auto rec = session_->image(id)) inference_->prefetch(id, rec->file, rec->checksum);
    }
}

// The regions table, with the selection kept (no selection signal: it is the controller's already).
void MainWindow::showRegionRows(const std::vector<Annotation>& annotations) {
    std::vector<RowId> ids;
    for (const Annotation& a : annotations) ids.push_back(a.id);
    auto tokens = session_->shownTokens(ids);
    std::vector<RegionRow> rows;
    for (std::size_t k = 0; k < annotations.size(); ++k)
        rows.push_back({annotations[k], session_->className(annotations[k].classId),
                        session_->classColor(annotations[k].classId), std::move(tokens[k])});
    const QSignalBlocker block(annotations_->selectionModel());
    regions_->setRows(std::move(rows));
    const int row = annotate_->selected() ? regions_->rowOfRegion(*annotate_->selected()) : -1;
    if (row >= 0)
        annotations_->selectionModel()->setCurrentIndex(
            regions_->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void MainWindow::refreshRegions() {
    if (!session_->isOpen() || !currentImage_ || imageSize_.isEmpty()) return;
    const bool large = static_cast<qint64>(imageSize_.width()) * imageSize_.height() > kLargeImagePixels;
    const LoadedImage loaded =
        session_->loadRegions(currentImage_, imageSize_.width(), imageSize_.height(), annotate_->selected(), !large);
    if (large) {
        // Drawing the masks of a huge image takes a while: off the UI thread, the newest drawing wins.
        std::vector<OverlayMask> masks;
        for (const Annotation& a : loaded.annotations)
            masks.push_back({a.mask, session_->classColor(a.classId), annotate_->selected() == a.id});
        const quint64 generation = ++overlayGeneration_;
        const int w = imageSize_.width(), h = imageSize_.height();
        QPointer<MainWindow> self(this);
        QThreadPool::globalInstance()->start([self, masks, w, h, generation] {
            const QImage overlay = renderOverlay(masks, w, h);
            QMetaObject::invokeMethod(
                self.data(),
                [self, overlay, generation] {
                    if (self && generation == self->overlayGeneration_) self->view_->setOverlay(overlay);
                },
                Qt::QueuedConnection);
        });
    } else {
        ++overlayGeneration_;
        view_->setOverlay(loaded.overlay);
    }
    regionPanel_->showRegion(annotate_->selected());
    showRegionRows(loaded.annotations);
    regionInspector_->refresh();
    const QModelIndex i = list_->currentIndex();
    QString label = tr("%1 — %2 x %3 px — %n annotation(s)", nullptr, static_cast<int>(loaded.annotations.size()))
                        .arg(i.data(Qt::DisplayRole).toString())
                        .arg(imageSize_.width())
                        .arg(imageSize_.height());
    // A region the store cannot read (a project file damaged on disk) is named, never silently dropped.
    QStringList problems;
    for (const DamagedAnnotation& d : loaded.damaged) problems << QString::fromStdString(d.reason);
    if (!loaded.error.isEmpty()) problems << loaded.error;
    if (!loaded.damaged.empty())
        label += tr(" — %n damaged, not shown", nullptr, static_cast<int>(loaded.damaged.size()));
    imageLabel_->setText(label);
    imageLabel_->setStyleSheet(problems.isEmpty() ? QString() : QStringLiteral("color: #d32f2f;"));
    imageLabel_->setToolTip(problems.join(QLatin1Char('\n')));
    // Said once per image and problem, not again at every refresh.
    const QString said = QString::number(currentImage_) + problems.join(QLatin1Char('\n'));
    if (!problems.isEmpty() && said != lastProblems_) statusBar()->showMessage(problems.front(), 15000);
    lastProblems_ = said;
}

void MainWindow::tokenizeProject() {
    if (!session_->isOpen()) return;
    if (!inference_->canTokenize()) {
        showError(tr("Cannot tokenize"), tr("No SAMTok tokenizer is loaded. Load one from Model ▸ Load Checkpoint."));
        return;
    }
    tokenizeBar_->setRange(0, 0);
    tokenizeBar_->show();
    cancelTokenize_->show();
    tokenizeAction_->setEnabled(false);
    inference_->tokenizeProject(session_->projectPath());
}

void MainWindow::step(int delta) {
    const int rows = filter_->rowCount();
    if (rows == 0) return;
    const int row = std::clamp(list_->currentIndex().row() + delta, 0, rows - 1);
    list_->setCurrentIndex(filter_->index(row, 0));
}

void MainWindow::nextImage() {
    step(+1);
}
void MainWindow::previousImage() {
    step(-1);
}

void MainWindow::showError(const QString& title, const QString& message) {
    QMessageBox::warning(this, title, message);
}

void MainWindow::newProject() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("New Project"), QString(), tr("SAMTok projects (*.samtok)"));
    if (path.isEmpty()) return;
    const QString file = path.endsWith(".samtok") ? path : path + ".samtok";
    if (const QString err = session_->create(file, QFileInfo(file).completeBaseName()); !err.isEmpty())
        showError(tr("Cannot create the project"), err);
}

void MainWindow::openProject() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), QString(),
                                                      tr("SAMTok projects (*.samtok);;All files (*)"));
    if (!path.isEmpty()) openProjectFile(path);
}

void MainWindow::openProjectFile(const QString& path) {
    if (path.isEmpty()) return;
    if (const QString err = session_->open(path); !err.isEmpty()) showError(tr("Cannot open the project"), err);
}

void MainWindow::openSampleProject(const QString& folder) {
    const QString where =
        folder.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/sample" : folder;
    bool rendered = false;
    if (const QString err = session_->openSample(where, &rendered); !err.isEmpty()) {
        showError(tr("Cannot open the sample project"), err);
        return;
    }
    tokenizeSampleWhenReady_ = rendered;
    tokenizeRenderedSample();
}

// A new user should not have to find Model ▸ Tokenize Project before the
// sample shows what tokens are; a project of their own is never tokenized
// unasked (it may be large, and the model may not be the one they want).
void MainWindow::tokenizeRenderedSample() {
    if (!tokenizeSampleWhenReady_ || !session_->isOpen() || !inference_->canTokenize()) return;
    tokenizeSampleWhenReady_ = false;
    tokenizeProject();
}

void MainWindow::addImageFiles() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add Images"), QString(), tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp)"));
    if (!files.isEmpty()) addPaths(files);
}

void MainWindow::addImageFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add Folder"));
    if (!dir.isEmpty()) addPaths({dir});
}

void MainWindow::addPaths(const QStringList& paths) {
    if (!session_->isOpen()) return;
    QProgressDialog progress(tr("Adding images…"), tr("Cancel"), 0, 100, this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(400);
    const AddImagesReport r = session_->addImages(paths, [&](std::size_t done, std::size_t total) {
        progress.setMaximum(static_cast<int>(total));
        progress.setValue(static_cast<int>(done));
        QApplication::processEvents();
        return !progress.wasCanceled();
    });
    progress.reset();
    QString summary = tr("Added %n image(s).", nullptr, static_cast<int>(r.added.size()));
    if (r.cancelled) summary = tr("Cancelled: nothing was added.");
    if (!r.duplicates.empty())
        summary += " " + tr("%n duplicate(s) skipped.", nullptr, static_cast<int>(r.duplicates.size()));
    statusBar()->showMessage(summary, 8000);
    if (!r.failed.empty()) {
        QStringList lines;
        for (const auto& f : r.failed) lines << QString::fromStdString(f.second);
        QMessageBox box(QMessageBox::Warning, tr("Some files were not added"), summary, QMessageBox::Ok, this);
        box.setDetailedText(lines.join('\n'));
        box.setInformativeText(tr("%n file(s) could not be read.", nullptr, static_cast<int>(r.failed.size())));
        box.exec();
    }
}

void MainWindow::refreshRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = ProjectSession::recentProjects();
    for (const QString& p : recent) recentMenu_->addAction(p, this, [this, p] { openProjectFile(p); });
    if (recent.isEmpty()) recentMenu_->addAction(tr("No recent projects"))->setEnabled(false);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    QStringList paths;
    for (const QUrl& u : e->mimeData()->urls())
        if (u.isLocalFile()) paths << u.toLocalFile();
    if (paths.size() == 1 && paths.front().endsWith(".samtok")) {
        openProjectFile(paths.front());
        return;
    }
    if (!session_->isOpen()) {
        showError(tr("No project open"), tr("Create or open a project first, then drop images on it."));
        return;
    }
    addPaths(paths);
}

}  // namespace samtok::ui
