#pragma once
// The open project, as the UI sees it: owns the store, turns rows into what
// widgets draw, and reports errors as messages. Holds no widgets.
#include "ModelSummary.h"
#include "edit/RegionEdit.h"
#include "store/AddImages.h"
#include "store/ProjectStore.h"

#include <QImage>
#include <QObject>
#include <QStringList>

#include <memory>

class QUndoStack;
class QLockFile;
class QTimer;

namespace samtok::ui {

struct LoadedImage {
    RowId id = 0;
    QImage image;    // RGB888
    QImage overlay;  // masks, same size
    std::vector<Annotation> annotations;
    QString error;                           // non-empty when the image could not be shown
    std::vector<DamagedAnnotation> damaged;  // regions whose stored mask is damaged: not shown
};

// An image as the widgets need it: the file to read, the key of its embedding.
struct ImageRef {
    RowId id = 0;
    QString file;        // absolute path on disk
    QString storedPath;  // as the project records it (relative inside the project's folder)
    QString checksum;    // the embedding cache's key
    int width = 0, height = 0;
    ImageStatus status = ImageStatus::Unlabelled;
};

// The tokens a region shows: the active model's when it has them, else another tokenizer's (greyed).
struct ShownTokens {
    MaskTokens tokens;
    TokenizerModel tokenizer;
    int codebookSize = 256;
    bool active = false;  // of the model loaded now
};

class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject* parent = nullptr);
    ~ProjectSession() override;

    bool isOpen() const { return store_ != nullptr; }
    // The store itself, for tests that check what reached the file; widgets use the typed reads below.
    ProjectStore* storeForTests() { return store_.get(); }
    QString projectName() const;
    QString projectPath() const;

    // Each returns an empty string on success, else a message naming the problem.
    QString create(const QString& path, const QString& name);
    QString open(const QString& path);
    // Renders the sample project into `folder` on first use (*rendered tells
    // whether this call did), then opens it.
    QString openSample(const QString& folder, bool* rendered = nullptr);
    void close();

    LoadedImage loadImage(RowId id) const;
    // The pixels of an image file, on any thread (no project access).
    static LoadedImage decodeImageFile(
        RowId id, const std::string& path);  // the pixels only; regions and overlay come from loadRegions
    // The image's annotations and their overlay, without decoding the image again.
    LoadedImage loadRegions(RowId id, int width, int height, std::optional<RowId> selected = {},
                            bool render = true) const;
    QString className(std::optional<RowId> classId) const;
    QColor classColor(std::optional<RowId> classId) const;
    QColor regionColor(const Annotation& a) const;  // its class colour, or one of its own without a class

    AddImagesReport addImages(const QStringList& paths, const std::function<bool(std::size_t, std::size_t)>& progress);

    // Typed reads for the widgets. Each returns nothing (never throws) when the project is closed, the row is
    // gone, or its stored mask is damaged (the image's label names those).
    std::vector<ImageRef> images() const;
    std::optional<ImageRef> image(RowId id) const;
    std::int64_t imageCount() const;
    std::vector<RowId> imagesWithClass(RowId classId) const;
    std::optional<Annotation> annotation(RowId id) const;
    std::vector<Annotation> readableRegions(RowId imageId, std::vector<DamagedAnnotation>* damaged = nullptr) const;
    std::vector<std::string> referringExpressions(RowId annotationId) const;

    // Actions, one transaction and (for regions) one undoable step each; a failure is reported by editFailed.
    void setImageStatus(RowId id, ImageStatus status);
    void deleteRegion(const QString& label, RowId id);
    void updateRegion(const QString& label, const Annotation& changed);
    void describeRegion(const QString& label, RowId id, const QString& caption, const std::vector<std::string>& texts,
                        ReviewState review);

    // The tokens of the active model: which model is loaded is the studio's to say.
    void setActiveModel(std::optional<ModelSummary> model);
    const std::optional<ModelSummary>& activeModel() const { return active_; }
    int activeCodebookSize() const { return active_ ? active_->codebookSize : 256; }
    std::optional<RowId> activeTokenizerId() const;  // the project's row of the active model, if it has one
    std::optional<MaskTokens> activeTokens(RowId annotationId) const;
    // For each region, in order (one look at the project's tokenizers for all of them).
    std::vector<std::optional<ShownTokens>> shownTokens(const std::vector<RowId>& annotationIds) const;
    // The next region after (image, region) `after` whose active tokens rebuild it below `threshold`, in image order,
    // wrapping around; `index` and `total` say where it is among them.
    struct Flagged {
        RowId imageId = 0, annotationId = 0;
        int index = 0, total = 0;
    };
    std::optional<Flagged> nextFlagged(std::pair<RowId, RowId> after, double threshold) const;

    static QStringList recentProjects();

    // Edits go through the undo stack: each is one transaction in the store
    // and one step of the project's persistent history.
    QUndoStack* undoStack() const { return undo_; }
    // Returns the ids of the regions the edit created (none when it failed: editFailed says why).
    std::vector<RowId> apply(edit::RegionEdit edit);
    // Imports annotations ("coco", "labelme" or "yolo" with its labels folder) in one transaction together
    // with a history step whose undo removes the imported regions (the images stay).
    // One undoable step; on failure nothing of it is saved and `error` says why.
    struct ImportOutcome {
        QString summary;
        QString error;
    };
    ImportOutcome importAnnotations(const QString& format, const QString& path, const QString& second = {});
    // The project's regions for other tools: "coco" (a JSON file), "labelme" or "yolo" (a folder), as
    // `samtok export coco|labelme|yolo` writes them. Reads only.
    ImportOutcome exportAnnotations(const QString& format, const QString& path) const;
    const std::vector<LabelClass>& classes() const { return classes_; }
    RowId addClass(const QString& name);  // or the existing one of that name; 0 with a message on failure

    // How often the session looks for commits of other processes (a `samtok` command in a terminal).
    void setWatchInterval(int millis);
    // The studio's own worker committed and the views were refreshed for it: that commit needs no second
    // refresh when the watch next looks.
    void acknowledgeOwnCommits();

signals:
    void projectChanged();
    // Another connection committed to the project (a `samtok` command, the studio's own worker): imagesChanged and
    // regionsChanged(0) follow, so every view shows the file as it is now.
    void changedElsewhere();
    void imagesChanged();
    void regionsChanged(samtok::RowId imageId);
    void editFailed(const QString& message);
    void warning(const QString& message);  // nothing was lost, but the user should know (a damaged undo history)
    void imageStatusChanged(samtok::RowId imageId, samtok::ImageStatus status);  // saved

private:
    void remember(const QString& path);
    void loadClasses();
    void rebuildHistory();

    // One studio per project: two would each keep an undo history of the other's rows.
    QString lock(const QString& path);

    void applyBuilt(const std::function<edit::RegionEdit()>& build);
    void watchForOtherWriters();
    void checkDataVersion();

    std::optional<ModelSummary> active_;
    std::unique_ptr<QLockFile> lock_;
    QTimer* watch_;
    std::int64_t dataVersion_ = 0;
    std::unique_ptr<ProjectStore> store_;
    std::vector<LabelClass> classes_;
    QUndoStack* undo_;
};

}  // namespace samtok::ui
