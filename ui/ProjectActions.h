#pragma once
// What File does with the project: new, open (a file, a recent one, a drop),
// add images and folders with progress and a summary of what was skipped, and
// import annotations (COCO, LabelMe, YOLO-seg) as one undoable step each. The
// dialogs are here; the work is the session's.
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

class QAction;
class QMenu;
class QWidget;

namespace samtok::ui {

class ProjectSession;

class ProjectActions : public QObject {
    Q_OBJECT
public:
    ProjectActions(ProjectSession* session, QWidget* window);

    void newProject();
    void openProject();
    void openProjectFile(const QString& path);
    void addImageFiles();
    void addImageFolder();
    void addPaths(const QStringList& paths);
    void drop(const QStringList& paths);
    // File ▸ Import Annotations; returns its actions (enabled while a project is open).
    QList<QAction*> buildImportMenu(QMenu* importMenu);
    // File ▸ Export Annotations: COCO, LabelMe and YOLO-seg, for other tools.
    QList<QAction*> buildExportMenu(QMenu* exportMenu);
    void fillRecentMenu(QMenu* recentMenu);

signals:
    void message(const QString& text, int milliseconds);  // for the status bar
    void classesChanged();                                // an import may have added classes

private:
    void showError(const QString& title, const QString& message);

    ProjectSession* session_;
    QWidget* window_;
};

}  // namespace samtok::ui
