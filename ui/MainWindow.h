#pragma once
#include "mask/Mask.h"
#include "store/Records.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QLabel;
class QLineEdit;
class QComboBox;
class QListView;
class QStackedWidget;
class QTreeView;
class QMenu;
class QSlider;
class QProgressBar;
class QToolButton;
class QDockWidget;

namespace samtok::ui {

class ImageView;
class ImageListModel;
class ImagesPanel;
class ProjectActions;
class ImageFilterModel;
class ProjectSession;
class StartPage;
class InferenceService;
class GetModelDialog;
class AnnotateController;
class RegionPanel;
class ClassBox;
class PastePanel;
class PasteController;
class TokenExplorer;
class AnalyticsPanel;
class InspectController;
class RegionInspector;
class RegionTableModel;
class StudioStatusBar;
class ToolsBar;
struct ModelSummary;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(ProjectSession* session, QWidget* parent = nullptr);
    ~MainWindow() override;

    // For tests and the command line.
    ImageView* imageView() const { return view_; }
    QListView* imageList() const;
    QTreeView* annotationList() const { return annotations_; }
    RegionTableModel* regionTable() const { return regions_; }
    ImageFilterModel* filterModel() const;
    RowId currentImageId() const { return currentImage_; }
    QString statusMessage() const;
    InferenceService* inference() const { return inference_; }
    AnnotateController* annotate() const { return annotate_; }
    QComboBox* classBox() const;
    RegionPanel* regionPanel() const { return regionPanel_; }
    PastePanel* pastePanel() const { return pastePanel_; }
    TokenExplorer* tokenExplorer() const { return explorer_; }
    AnalyticsPanel* analyticsPanel() const { return analytics_; }
    InspectController* inspect() const { return inspect_; }
    QDockWidget* explorerDock() const { return explorerDock_; }
    QDockWidget* analyticsDock() const { return analyticsDock_; }

public slots:
    void openProjectFile(const QString& path);
    // Opens the sample project (in the app's data folder unless `folder` names
    // one); when this renders it, its regions are tokenized as soon as a
    // tokenizer is ready, so a first look shows tokens and reconstructions.
    void openSampleProject(const QString& folder = {});
    void nextImage();
    void previousImage();
    void showImage(RowId id);
    void loadModelCheckpoint();
    void showGetModel();
    void loadPromptModel(const QString& path);  // asks for the file
    void loadModelFile(const QString& path);
    void tokenizeProject();
    void showCheatSheet();

signals:
    void tokenizingFinished();  // after the panel shows the new tokens

protected:
    void closeEvent(QCloseEvent* e) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void tokenizeRenderedSample();
    void buildActions();
    QList<QAction*> buildFileMenu(QMenu* file);
    QList<QAction*> buildViewMenu(QMenu* view);
    void buildHelpMenu(QMenu* help);
    void showDock(QDockWidget* dock);
    void nameActions();
    void buildModelMenu(QMenu* modelMenu);
    void buildDocks();
    void buildImagesDock();
    QDockWidget* buildRegionDocks();
    void buildStatusBar();
    void onProjectChanged();
    void onImagesChanged();
    void tokenizeLeftovers();
    void updateTitle();
    void showError(const QString& title, const QString& message);
    void step(int delta);
    void onModelReady(const ModelSummary& m);
    void onModelFailed(const QString& what, const QString& error);
    void onTokenizeFinished(int annotations, int skipped, bool cancelled, const QString& error);
    void buildEditMenu(QMenu* edit);
    void buildToolBar(ToolsBar* bar);
    void connectCanvas();
    void refreshRegions();
    void showRegionRows(const std::vector<Annotation>& annotations);
    void refreshClassBox();
    void addClass();
    void prefetchNeighbours();
    void refreshClassFilter();
    void setCurrentImageStatus(ImageStatus status);
    void nextFlagged();
    void jumpToRegion(RowId imageId, RowId annotationId);
    void buildInspectDocks(QDockWidget* besides);
    void finishShowing(RowId id, const QImage& image, const QString& error);

    ProjectSession* session_;
    InferenceService* inference_;
    QPointer<GetModelDialog> getModel_;
    AnnotateController* annotate_;
    ClassBox* classBox_ = nullptr;
    RegionPanel* regionPanel_ = nullptr;
    PastePanel* pastePanel_ = nullptr;
    TokenExplorer* explorer_ = nullptr;
    AnalyticsPanel* analytics_ = nullptr;
    InspectController* inspect_ = nullptr;
    RegionInspector* regionInspector_ = nullptr;
    QDockWidget* explorerDock_ = nullptr;
    QDockWidget* analyticsDock_ = nullptr;
    PasteController* paste_ = nullptr;
    QSize imageSize_;
    quint64 overlayGeneration_ = 0;
    bool userLoad_ = false;
    bool tokenizeSampleWhenReady_ = false;  // a freshly rendered sample waits for the model
    QAction* tokenizeAction_ = nullptr;
    ProjectActions* files_;
    ImagesPanel* imagesPanel_;
    QStackedWidget* stack_;
    StartPage* start_;
    ImageView* view_;
    QTreeView* annotations_;
    RegionTableModel* regions_;
    QMenu* recentMenu_ = nullptr;
    StudioStatusBar* status_ = nullptr;
    QList<QAction*> projectActions_;
    RowId currentImage_ = 0;
};

}  // namespace samtok::ui
