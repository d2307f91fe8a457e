#include "MainWindow.h"

#include "AnalyticsPanel.h"
#include "AnnotateController.h"
#include "Background.h"
#include "ClassBox.h"
#include "ExportDialog.h"
#include "ImageListModel.h"
#include "ImageView.h"
#include "ImagesPanel.h"
#include "InferenceService.h"
#include "InspectController.h"
#include "KeyboardHelp.h"
#include "MaskOverlay.h"
#include "PasteController.h"
#include "PastePanel.h"
#include "ProjectActions.h"
#include "ProjectSession.h"
#include "RegionInspector.h"
#include "RegionPanel.h"
#include "RegionTableModel.h"
#include "SettingsDialog.h"
#include "StartPage.h"
#include "StudioStatusBar.h"
#include "TokenExplorer.h"
#include "ToolsBar.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QUndoStack>

namespace samtok::ui {

namespace {

// Bumped when the docks change, so that an old saved layout is not forced on new panels.
constexpr int kLayoutVersion = 3;

// A panel that scrolls when its dock is smaller than it: the window then fits a 1280 x 720 screen.
QScrollArea* scrollable(QWidget* panel) {
    auto* area = new QScrollArea;
    area->setWidget(panel);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    return area;
}

constexpr qint64 kLargeImagePixels = 16'000'000;  // above this, images decode off the UI thread

}  // namespace

MainWindow::MainWindow(ProjectSession* session, QWidget* parent)
    : QMainWindow(parent),
      session_(session),
      inference_(new InferenceService(this)),
      annotate_(new AnnotateController(session, inference_, this)),
      files_(new ProjectActions(session, this)),
      imagesPanel_(new ImagesPanel) {
    setAcceptDrops(true);
    // 1400 x 900, or most of a smaller screen (a 1366 x 768 laptop).
    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry()
                                                          : QRect(0, 0, 1400, 900);
    resize(std::min(1400, screen.width() * 95 / 100), std::min(900, screen.height() * 92 / 100));

    stack_ = new QStackedWidget;
    start_ = new StartPage;
    view_ = new ImageView;
    stack_->addWidget(start_);
    stack_->addWidget(view_);
    setCentralWidget(stack_);

    connect(start_, &StartPage::newProjectRequested, files_, &ProjectActions::newProject);
    connect(start_, &StartPage::openProjectRequested, files_, &ProjectActions::openProject);
    connect(start_, &StartPage::sampleProjectRequested, this, [this] { openSampleProject(); });
    connect(start_, &StartPage::recentProjectRequested, files_, &ProjectActions::openProjectFile);
    connect(files_, &ProjectActions::message, this,
            [this](const QString& m, int ms) { statusBar()->showMessage(m, ms); });
    connect(files_, &ProjectActions::classesChanged, this, [this] {
        refreshClassBox();
        refreshClassFilter();
    });
    connect(session_, &ProjectSession::projectChanged, this, &MainWindow::onProjectChanged);
    connect(session_, &ProjectSession::imagesChanged, this, &MainWindow::onImagesChanged);
    connect(session_, &ProjectSession::imageStatusChanged, imagesPanel_, &ImagesPanel::setStatus);

    buildDocks();
    status_ = new StudioStatusBar(statusBar(), inference_, view_, this);
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

void MainWindow::connectCanvas() {
    // Gestures from the canvas to the controller, results back to the canvas.
    connect(view_, &ImageView::pointClicked, annotate_, &AnnotateController::addPoint);
    connect(view_, &ImageView::boxDrawn, annotate_, &AnnotateController::setBox);
    connect(view_, &ImageView::strokeFinished, annotate_, &AnnotateController::applyStroke);
    connect(view_, &ImageView::polygonFinished, annotate_, &AnnotateController::applyPolygon);
    connect(view_, &ImageView::polygonEdited, annotate_, &AnnotateController::movePolygon);
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
        status_->setToolHint(info);
    });
    connect(annotate_, &AnnotateController::markersChanged, view_, &ImageView::setPromptMarkers);
    connect(annotate_, &AnnotateController::busyChanged, this, [this](bool busy) {
        if (busy) status_->setToolHint(tr("Working…"));
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
    connect(session_, &ProjectSession::warning, this, [this](const QString& m) { statusBar()->showMessage(m, 15000); });
    connect(session_, &ProjectSession::editFailed, this,
            [this](const QString& m) { showError(tr("The change was not saved"), m); });
    connect(inference_, &InferenceService::imageTokenized, this, [this](RowId image, int, const QString& error) {
        if (!error.isEmpty()) statusBar()->showMessage(tr("Tokens could not be computed: %1").arg(error), 10000);
        session_->acknowledgeOwnCommits();  // refreshed here, not again by the watch for other writers
        if (image == currentImage_) refreshRegions();
        emit tokenizingFinished();
    });
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
        imagesPanel_->selectImage(imageId, /*dropFilters=*/true);  // reachable whatever the list shows
    }
    annotate_->select(annotationId);
}

void MainWindow::refreshClassFilter() {
    imagesPanel_->setClasses(session_->classes());
}

void MainWindow::setCurrentImageStatus(ImageStatus status) {
    if (!session_->isOpen() || !currentImage_) return;
    session_->setImageStatus(currentImage_, status);
    const auto rec = session_->image(currentImage_);
    if (!rec || rec->status != status) return;  // not saved: editFailed said why
    statusBar()->showMessage(tr("Marked %1").arg(ImageListModel::statusLabel(status).toLower()), 4000);
}

void MainWindow::refreshClassBox() {
    classBox_->setClasses(session_->classes());
}

void MainWindow::addClass() {
    QInputDialog dialog(this);
    dialog.setWindowTitle(tr("New Class"));
    dialog.setLabelText(tr("Name of the new class:"));
    dialog.setInputMode(QInputDialog::TextInput);  // builds the dialog's layout and line edit now
    // Wide enough for the title in full beside the window manager's buttons (the layout sets the dialog's size).
    if (auto* edit = dialog.findChild<QLineEdit*>()) edit->setMinimumWidth(360);
    const bool ok = dialog.exec() == QDialog::Accepted;
    const QString name = dialog.textValue();
    if (!ok || name.trimmed().isEmpty()) {
        classBox_->choose(std::nullopt);
        return;
    }
    const RowId id = session_->addClass(name);
    refreshClassBox();
    refreshClassFilter();
    classBox_->choose(id);
}

// The image list, its search and filters.
void MainWindow::buildImagesDock() {
    auto* dock = new QDockWidget(tr("Images"), this);
    dock->setObjectName("imagesDock");
    dock->setFeatures(QDockWidget::DockWidgetMovable);
    imagesPanel_->setMinimumWidth(170);  // names stay readable; a squeezed list is never saved with the layout
    dock->setWidget(imagesPanel_);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    connect(imagesPanel_, &ImagesPanel::currentImageChanged, this, &MainWindow::showImage);
    connect(imagesPanel_, &ImagesPanel::classFilterChosen, this, [this](std::optional<RowId> classId) {
        if (!classId || !session_->isOpen()) return imagesPanel_->setClassSubset(std::nullopt);
        const auto ids = session_->imagesWithClass(*classId);
        imagesPanel_->setClassSubset(std::set<RowId>(ids.begin(), ids.end()));
    });
}

// The regions table, the Region panel and Paste and Decode (tabbed with it); returns the Region panel's dock.
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
    propDock->setWidget(scrollable(regionPanel_));
    propDock->widget()->setMinimumWidth(280);  // a token string and its buttons stay readable
    addDockWidget(Qt::RightDockWidgetArea, propDock);
    // Wide enough for a whole token string next to its IoU.
    resizeDocks({annDock}, {470}, Qt::Horizontal);
    pastePanel_ = new PastePanel;
    auto* pasteDock = new QDockWidget(tr("Paste and Decode"), this);  // "&" would be a mnemonic in the tab
    pasteDock->setObjectName("pasteDock");
    pasteDock->setFeatures(QDockWidget::DockWidgetMovable);
    pasteDock->setWidget(scrollable(pastePanel_));
    addDockWidget(Qt::RightDockWidgetArea, pasteDock);
    tabifyDockWidget(propDock, pasteDock);
    propDock->raise();
    return propDock;
}

void MainWindow::buildDocks() {
    buildImagesDock();
    QDockWidget* propDock = buildRegionDocks();
    paste_ = new PasteController(session_, inference_, view_, annotate_, pastePanel_, this);
    buildInspectDocks(propDock);
    connect(regionPanel_, &RegionPanel::classChosen, annotate_, &AnnotateController::setClassOfSelected);
    connect(regionPanel_, &RegionPanel::textChanged, annotate_, &AnnotateController::describe);
    connect(regionPanel_, &RegionPanel::flagThresholdChanged, regions_, &RegionTableModel::setFlagThreshold);
    regions_->setFlagThreshold(regionPanel_->flagThreshold());
    regionInspector_ = new RegionInspector(session_, inference_, annotate_, regionPanel_, view_, this);
    for (QWidget* panel :
         std::initializer_list<QWidget*>{imagesPanel_, regionPanel_, pastePanel_, explorer_, analytics_})
        keepKeysOnCanvas(panel);
    connect(regionPanel_, &RegionPanel::captionEntered, view_, [this] { view_->setFocus(Qt::OtherFocusReason); });

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
    explorerDock_->setWidget(scrollable(explorer_));
    addDockWidget(Qt::RightDockWidgetArea, explorerDock_);
    tabifyDockWidget(besides, explorerDock_);
    besides->raise();
    analytics_ = new AnalyticsPanel;
    analyticsDock_ = new QDockWidget(tr("Analytics"), this);
    analyticsDock_->setObjectName("analyticsDock");
    analyticsDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                                QDockWidget::DockWidgetFloatable);
    analyticsDock_->setWidget(scrollable(analytics_));
    analyticsDock_->widget()->setMinimumHeight(100);  // a plot, not only its tabs
    // The side panels keep their full height; the plots sit under the image.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, analyticsDock_);
    resizeDocks({analyticsDock_}, {330}, Qt::Vertical);

    inspect_ = new InspectController(session_, inference_, view_, annotate_, explorer_, analytics_, this);
    connect(explorerDock_, &QDockWidget::visibilityChanged, inspect_, &InspectController::setExplorerVisible);
    connect(analyticsDock_, &QDockWidget::visibilityChanged, inspect_, &InspectController::setAnalyticsVisible);
    connect(inspect_, &InspectController::jumpRequested, this, &MainWindow::jumpToRegion);
    connect(analytics_, &AnalyticsPanel::pairActivated, this, [this] { showDock(explorerDock_); });
    // Live: the plots follow the tokens as they are written.
    connect(inference_, &InferenceService::imageTokenized, inspect_, &InspectController::scheduleRefresh);
    connect(inference_, &InferenceService::tokenizeProgress, inspect_, &InspectController::scheduleRefresh);
    connect(inference_, &InferenceService::tokenizeFinished, inspect_, &InspectController::scheduleRefresh);
    connect(session_, &ProjectSession::regionsChanged, inspect_, &InspectController::scheduleRefresh);
    connect(regionPanel_, &RegionPanel::flagThresholdChanged, inspect_, &InspectController::setFlagThreshold);
    inspect_->setFlagThreshold(regionPanel_->flagThreshold());
}

void MainWindow::buildStatusBar() {
    connect(status_, &StudioStatusBar::cancelEmbeddingRequested, annotate_, &AnnotateController::cancel);
    connect(inference_, &InferenceService::modelReady, this, &MainWindow::onModelReady);
    connect(inference_, &InferenceService::modelFailed, this, &MainWindow::onModelFailed);
    connect(inference_, &InferenceService::tokenizeFinished, this, &MainWindow::onTokenizeFinished);
}

void MainWindow::onModelFailed(const QString& what, const QString& error) {
    const bool asked = userLoad_;  // onModelReady below clears it
    if (inference_->hasModel())
        onModelReady(inference_->model());
    else
        status_->showNoModel(tr("%1 could not be loaded:\n%2").arg(what, error));
    // A model the user chose gets a dialog; the automatic start-up load only
    // marks the status bar, so a damaged default never blocks the app.
    if (asked)
        showError(tr("Cannot load %1").arg(what), error);
    else
        statusBar()->showMessage(tr("%1 could not be loaded: %2").arg(what, error), 15000);
    userLoad_ = false;
}

void MainWindow::onTokenizeFinished(int annotations, int skipped, bool cancelled, const QString& error) {
    status_->finishTokenizing();
    tokenizeAction_->setEnabled(session_->isOpen());
    if (!error.isEmpty()) {
        showError(tr("Tokenizing stopped"), error);
        return;
    }
    QString msg = cancelled
                      ? tr("Tokenizing cancelled after %n annotation(s); the rest can be resumed", nullptr, annotations)
                      : tr("Tokenized %n annotation(s)", nullptr, annotations);
    if (skipped > 0) msg += tr("; %n image(s) could not be read", nullptr, skipped);
    statusBar()->showMessage(msg, 10000);
    emit tokenizingFinished();
    refreshRegions();  // the new tokens; the selection stays
}

void MainWindow::onModelReady(const ModelSummary& m) {
    userLoad_ = false;
    session_->setActiveModel(m);
    tokenizeRenderedSample();
    tokenizeLeftovers();
    if (session_->isOpen() && currentImage_) showImage(currentImage_);  // tokens of this model, if the project has them
    status_->showModel(m);
}

void MainWindow::loadModelCheckpoint() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load Model Checkpoint"), QString(),
                                                      tr("Checkpoints (*.pth *.pt *.safetensors);;All files (*)"));
    loadModelFile(path);
}

void MainWindow::loadModelFile(const QString& path) {
    if (path.isEmpty()) return;
    userLoad_ = true;  // a failure gets a dialog
    inference_->loadModel(path);
}

void MainWindow::openProjectFile(const QString& path) {
    files_->openProjectFile(path);
}

QComboBox* MainWindow::classBox() const {
    return classBox_;
}

QListView* MainWindow::imageList() const {
    return imagesPanel_->list();
}

ImageFilterModel* MainWindow::filterModel() const {
    return imagesPanel_->filter();
}

QString MainWindow::statusMessage() const {
    return status_->summary();
}

void MainWindow::updateTitle() {
    setWindowTitle(session_->isOpen() ? tr("%1 — SAMTok Studio").arg(session_->projectName()) : tr("SAMTok Studio"));
}

void MainWindow::onProjectChanged() {
    tokenizeSampleWhenReady_ = false;  // another project was opened before the model was ready
    inference_->closeProject();        // the worker reopens the new one at its first job
    refreshClassBox();
    refreshClassFilter();
    imagesPanel_->reload(session_->images());
    currentImage_ = 0;
    status_->setCurrentImage(0);
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
    if (session_->isOpen()) imagesPanel_->selectFirst();
    if (session_->isOpen() && imagesPanel_->imageCount() == 0)
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
    if (session_->isOpen() && imagesPanel_->imageCount() != static_cast<int>(session_->imageCount()))
        imagesPanel_->reload(session_->images());
}

void MainWindow::showImage(RowId id) {
    currentImage_ = id;
    status_->setCurrentImage(id);
    regions_->setRows({});
    imageSize_ = {};         // until the pixels are here, nothing is drawn for the old size
    annotate_->setImage(0);  // no click may land on the previous image meanwhile
    // Very large images decode off the UI thread: the window stays responsive meanwhile.
    const auto rec = session_->image(id);
    if (rec && static_cast<qint64>(rec->width) * rec->height > kLargeImagePixels) {
        view_->showMessage(
            tr("Opening %1 (%2 x %3 px)…").arg(QFileInfo(rec->file).fileName()).arg(rec->width).arg(rec->height));
        const std::string path = rec->file.toStdString();
        inBackground(
            this, [id, path] { return ProjectSession::decodeImageFile(id, path); },
            [this](const LoadedImage& l) { finishShowing(l.id, l.image, l.error); });
        return;
    }
    const LoadedImage loaded = session_->loadImage(id);
    finishShowing(id, loaded.image, loaded.error);
}

void MainWindow::finishShowing(RowId id, const QImage& image, const QString& error) {
    if (id != currentImage_) return;  // the user has moved on
    if (!error.isEmpty()) {
        view_->showMessage(tr("Cannot show this image:\n%1").arg(error));
        status_->setImageLine(error);
        imageSize_ = {};
        return;
    }
    imageSize_ = image.size();
    view_->setImage(image);
    if (!imagesPanel_->searchHasFocus()) view_->setFocus(Qt::OtherFocusReason);
    annotate_->setImage(id);  // refreshes the regions through selectionChanged
    inspect_->setImage(id, image);
    prefetchNeighbours();
}

void MainWindow::prefetchNeighbours() {
    if (!inference_->hasModel()) return;
    for (RowId id : imagesPanel_->currentAndNeighbours())
        if (const auto rec = session_->image(id)) inference_->prefetch(id, rec->file, rec->checksum);
}

// The regions table, with the selection kept (no selection signal: it is the controller's already).
void MainWindow::showRegionRows(const std::vector<Annotation>& annotations) {
    std::vector<RowId> ids;
    for (const Annotation& a : annotations) ids.push_back(a.id);
    auto tokens = session_->shownTokens(ids);
    std::vector<RegionRow> rows;
    for (std::size_t k = 0; k < annotations.size(); ++k)
        rows.push_back({annotations[k], session_->className(annotations[k].classId),
                        session_->regionColor(annotations[k]), std::move(tokens[k])});
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
            masks.push_back({a.mask, session_->regionColor(a), annotate_->selected() == a.id});
        const quint64 generation = ++overlayGeneration_;
        const int w = imageSize_.width(), h = imageSize_.height();
        inBackground(
            this, [masks, w, h] { return renderOverlay(masks, w, h); },
            [this, generation](const QImage& overlay) {
                if (generation == overlayGeneration_) view_->setOverlay(overlay);
            });
    } else {
        ++overlayGeneration_;
        view_->setOverlay(loaded.overlay);
    }
    regionPanel_->showRegion(annotate_->selected());
    // The selected region's vertices, from the regions just read: the Polygon tool can move them.
    QPolygonF vertices;
    for (const Annotation& a : loaded.annotations)
        if (annotate_->selected() == a.id)
            for (const auto& v : a.polygon) vertices << QPointF(v[0], v[1]);
    view_->setEditablePolygon(vertices);
    showRegionRows(loaded.annotations);
    regionInspector_->refresh();
    // A region the store cannot read (a project file damaged on disk) is named, never silently dropped.
    QStringList problems;
    for (const DamagedAnnotation& d : loaded.damaged) problems << QString::fromStdString(d.reason);
    if (!loaded.error.isEmpty()) problems << loaded.error;
    const auto rec = session_->image(currentImage_);
    status_->showImage(currentImage_, rec ? QFileInfo(rec->file).fileName() : QString(), imageSize_,
                       static_cast<int>(loaded.annotations.size()), static_cast<int>(loaded.damaged.size()), problems);
}

void MainWindow::tokenizeProject() {
    if (!session_->isOpen()) return;
    if (!inference_->canTokenize()) {
        showError(tr("Cannot tokenize"), tr("No SAMTok tokenizer is loaded. Load one from Model ▸ Load Checkpoint."));
        return;
    }
    status_->startTokenizing();
    tokenizeAction_->setEnabled(false);
    inference_->tokenizeProject(session_->projectPath());
}

void MainWindow::step(int delta) {
    imagesPanel_->step(delta);
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

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    QStringList paths;
    for (const QUrl& u : e->mimeData()->urls())
        if (u.isLocalFile()) paths << u.toLocalFile();
    files_->drop(paths);
}

}  // namespace samtok::ui
