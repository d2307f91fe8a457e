#pragma once
// The open project, as the UI sees it: owns the store, turns rows into what
// widgets draw, and reports errors as messages. Holds no widgets.
#include "edit/RegionEdit.h"
#include "store/AddImages.h"
#include "store/ProjectStore.h"

#include <QImage>
#include <QObject>
#include <QStringList>

#include <memory>

class QUndoStack;
class QLockFile;

namespace samtok::ui {

struct LoadedImage {
    RowId id = 0;
    QImage image;      // RGB888
    QImage overlay;    // masks, same size
    std::vector<Annotation> annotations;
    QString error;     // non-empty when the image could not be shown
    std::vector<DamagedAnnotation> damaged;  // regions whose stored mask is damaged: not shown
};

class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject* parent = nullptr);
    ~ProjectSession() override;

    bool isOpen() const { return store_ != nullptr; }
    ProjectStore* store() { return store_.get(); }
    const ProjectStore* store() const { return store_.get(); }
    QString projectName() const;
    QString projectPath() const;

    // Each returns an empty string on success, else a message naming the problem.
    QString create(const QString& path, const QString& name);
    QString open(const QString& path);
    // Renders the sample project into `folder` on first use (*rendered tells
    // whether this call did), then opens it.
    QString openSample(const QString& folder, bool* rendered = nullptr);
    void close();

    LoadedImage loadImage(RowId id) const;  // the pixels only; regions and overlay come from loadRegions
    // The image's annotations and their overlay, without decoding the image again.
    LoadedImage loadRegions(RowId id, int width, int height, std::optional<RowId> selected = {}, bool render = true) const;
    QString className(std::optional<RowId> classId) const;
    QColor classColor(std::optional<RowId> classId) const;

    AddImagesReport addImages(const QStringList& paths, const std::function<bool(std::size_t, std::size_t)>& progress);

    static QStringList recentProjects();

    // Edits go through the undo stack: each is one transaction in the store
    // and one step of the project's persistent history.
    QUndoStack* undoStack() const { return undo_; }
    void apply(edit::RegionEdit edit);
    // Imports annotations ("coco", "labelme" or "yolo" with its labels folder) in one transaction together
    // with a history step whose undo removes the imported regions (the images stay).
    // Returns the import's summary, or an error message starting with "Error: ".
    QString importAnnotations(const QString& format, const QString& path, const QString& second = {});
    const std::vector<LabelClass>& classes() const { return classes_; }
    RowId addClass(const QString& name);  // or the existing one of that name; 0 with a message on failure

signals:
    void projectChanged();
    void imagesChanged();
    void regionsChanged(samtok::RowId imageId);
    void editFailed(const QString& message);

private:
    void remember(const QString& path);
    void loadClasses();
    void rebuildHistory();

    // One studio per project: two would each keep an undo history of the other's rows.
    QString lock(const QString& path);

    std::unique_ptr<QLockFile> lock_;
    std::unique_ptr<ProjectStore> store_;
    std::vector<LabelClass> classes_;
    QUndoStack* undo_;
};

}  // namespace samtok::ui
