#include "ProjectActions.h"

#include "ProjectSession.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>

namespace samtok::ui {

ProjectActions::ProjectActions(ProjectSession* session, QWidget* window)
    : QObject(window), session_(session), window_(window) {}

void ProjectActions::showError(const QString& title, const QString& message) {
    QMessageBox::warning(window_, title, message);
}

// File ▸ Import Annotations: COCO, LabelMe and YOLO-seg, each one undoable step.
QList<QAction*> ProjectActions::buildImportMenu(QMenu* importMenu) {
    auto runImport = [this](const QString& format, const QString& path, const QString& second) {
        if (path.isEmpty()) return;
        QApplication::setOverrideCursor(Qt::WaitCursor);
        const auto outcome = session_->importAnnotations(format, path, second);
        QApplication::restoreOverrideCursor();
        emit classesChanged();
        if (!outcome.error.isEmpty())
            showError(tr("Nothing was imported"), outcome.error);
        else
            emit message(outcome.summary + tr(" (Ctrl+Z undoes it)"), 10000);
    };
    QAction* importCoco = importMenu->addAction(tr("&COCO Instances JSON…"), this, [this, runImport] {
        runImport(QStringLiteral("coco"),
                  QFileDialog::getOpenFileName(window_, tr("COCO instances JSON (images beside it)"), {},
                                               tr("JSON (*.json)")),
                  {});
    });
    QAction* importLabelMe = importMenu->addAction(tr("&LabelMe Folder…"), this, [this, runImport] {
        runImport(QStringLiteral("labelme"),
                  QFileDialog::getExistingDirectory(window_, tr("Folder of LabelMe JSON files")), {});
    });
    QAction* importYolo = importMenu->addAction(tr("&YOLO-seg…"), this, [this, runImport] {
        const QString images = QFileDialog::getExistingDirectory(window_, tr("YOLO-seg: the images folder"));
        if (images.isEmpty()) return;
        runImport(QStringLiteral("yolo"), images,
                  QFileDialog::getExistingDirectory(window_, tr("YOLO-seg: the labels folder")));
    });
    return {importCoco, importLabelMe, importYolo};
}

void ProjectActions::newProject() {
    const QString path =
        QFileDialog::getSaveFileName(window_, tr("New Project"), QString(), tr("SAMTok projects (*.samtok)"));
    if (path.isEmpty()) return;
    const QString file = path.endsWith(".samtok") ? path : path + ".samtok";
    if (const QString err = session_->create(file, QFileInfo(file).completeBaseName()); !err.isEmpty())
        showError(tr("Cannot create the project"), err);
}

void ProjectActions::openProject() {
    const QString path = QFileDialog::getOpenFileName(window_, tr("Open Project"), QString(),
                                                      tr("SAMTok projects (*.samtok);;All files (*)"));
    if (!path.isEmpty()) openProjectFile(path);
}

void ProjectActions::openProjectFile(const QString& path) {
    if (path.isEmpty()) return;
    if (const QString err = session_->open(path); !err.isEmpty()) showError(tr("Cannot open the project"), err);
}

void ProjectActions::addImageFiles() {
    const QStringList files = QFileDialog::getOpenFileNames(
        window_, tr("Add Images"), QString(), tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp)"));
    if (!files.isEmpty()) addPaths(files);
}

void ProjectActions::addImageFolder() {
    const QString dir = QFileDialog::getExistingDirectory(window_, tr("Add Folder"));
    if (!dir.isEmpty()) addPaths({dir});
}

void ProjectActions::addPaths(const QStringList& paths) {
    if (!session_->isOpen()) return;
    QProgressDialog progress(tr("Adding images…"), tr("Cancel"), 0, 100, window_);
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
    emit message(summary, 8000);
    if (!r.failed.empty()) {
        QStringList lines;
        for (const auto& f : r.failed) lines << QString::fromStdString(f.second);
        QMessageBox box(QMessageBox::Warning, tr("Some files were not added"), summary, QMessageBox::Ok, window_);
        box.setDetailedText(lines.join('\n'));
        box.setInformativeText(tr("%n file(s) could not be read.", nullptr, static_cast<int>(r.failed.size())));
        box.exec();
    }
}

void ProjectActions::fillRecentMenu(QMenu* recentMenu) {
    recentMenu->clear();
    const QStringList recent = ProjectSession::recentProjects();
    for (const QString& p : recent) recentMenu->addAction(p, this, [this, p] { openProjectFile(p); });
    if (recent.isEmpty()) recentMenu->addAction(tr("No recent projects"))->setEnabled(false);
}

QList<QAction*> ProjectActions::buildExportMenu(QMenu* exportMenu) {
    auto runExport = [this](const QString& format, const QString& path) {
        if (path.isEmpty()) return;
        QApplication::setOverrideCursor(Qt::WaitCursor);
        const auto outcome = session_->exportAnnotations(format, path);
        QApplication::restoreOverrideCursor();
        if (!outcome.error.isEmpty())
            showError(tr("Nothing was exported"), outcome.error);
        else
            emit message(outcome.summary, 12000);
    };
    QAction* coco = exportMenu->addAction(tr("&COCO Instances JSON…"), this, [this, runExport] {
        runExport(QStringLiteral("coco"),
                  QFileDialog::getSaveFileName(window_, tr("Export COCO instances JSON"),
                                               QStringLiteral("instances.json"), tr("JSON (*.json)")));
    });
    QAction* labelme = exportMenu->addAction(tr("&LabelMe Folder…"), this, [this, runExport] {
        runExport(QStringLiteral("labelme"),
                  QFileDialog::getExistingDirectory(window_, tr("Folder for the LabelMe JSON files")));
    });
    QAction* yolo = exportMenu->addAction(tr("&YOLO-seg Folder…"), this, [this, runExport] {
        runExport(QStringLiteral("yolo"),
                  QFileDialog::getExistingDirectory(window_, tr("Folder for labels/ and classes.txt")));
    });
    coco->setObjectName("actionExportCoco");
    labelme->setObjectName("actionExportLabelMe");
    yolo->setObjectName("actionExportYolo");
    return {coco, labelme, yolo};
}

// Files dropped on the window: one project opens it; images and folders are added to the open project.
void ProjectActions::drop(const QStringList& paths) {
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
