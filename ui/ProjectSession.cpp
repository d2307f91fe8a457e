#include "ProjectSession.h"

#include "MaskOverlay.h"
#include "RegionCommand.h"
#include "dataset/Import.h"
#include "store/Sqlite.h"
#include "io/ImageIO.h"
#include "sample/SampleScenes.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QSettings>
#include <QUndoStack>

namespace samtok::ui {
namespace {
constexpr int kMaxRecent = 10;
const char* kRecentKey = "recentProjects";
}  // namespace

ProjectSession::ProjectSession(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {}
ProjectSession::~ProjectSession() = default;

QString ProjectSession::projectName() const { return store_ ? QString::fromStdString(store_->name()) : QString(); }
QString ProjectSession::projectPath() const { return store_ ? QString::fromStdString(store_->path()) : QString(); }

template <typename F>
static QString guarded(F&& f) {
    try {
        f();
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

void ProjectSession::rebuildHistory() {
    undo_->clear();
    if (!store_) return;
    std::vector<EditRecord> history;
    const QString err = guarded([&] { history = store_->edits(); });
    int applied = 0;
    RegionCommand::setReplaying(true);
    for (const auto& r : history) {
        try {
            auto* c = new RegionCommand(
                store_.get(), r.seq, edit::editFromJson(r.payload), [this](RowId image) { emit regionsChanged(image); },
                [this](const QString& m) { emit editFailed(m); });
            undo_->push(c);
            if (!r.undone) applied = undo_->count();
        } catch (const std::exception&) {  // a damaged entry: the history starts after it
            undo_->clear();
            applied = 0;
        }
    }
    undo_->setIndex(applied);
    undo_->setClean();
    RegionCommand::setReplaying(false);
    (void)err;
}

void ProjectSession::apply(edit::RegionEdit e) {
    if (!store_) return;
    undo_->push(new RegionCommand(
        store_.get(), std::move(e), [this](RowId image) { emit regionsChanged(image); },
        [this](const QString& m) { emit editFailed(m); }));
}

QString ProjectSession::importAnnotations(const QString& format, const QString& path, const QString& second) {
    if (!store_) return tr("Error: no project is open");
    dataset::ImportReport report;
    edit::RegionEdit e;
    std::int64_t seq = 0;
    const QString err = guarded([&] {
        store_->transaction([&] {
            const std::int64_t before = store_->database().queryInt("SELECT coalesce(max(id), 0) FROM annotations");
            const std::string p = path.toStdString();
            if (format == QLatin1String("coco")) {
                report = dataset::importCoco(*store_, p, QFileInfo(path).absolutePath().toStdString());
            } else if (format == QLatin1String("labelme")) {
                for (const QString& f : QDir(path).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
                    try {
                        report.add(dataset::importLabelMe(*store_, QDir(path).filePath(f).toStdString()));
                    } catch (const FormatError&) {
                        ++report.filesSkipped;  // another kind of JSON in the folder
                    }
                }
            } else if (format == QLatin1String("yolo")) {
                for (const std::string& image : collectImageFiles({p})) {
                    const QString label = QDir(second).filePath(QFileInfo(QString::fromStdString(image)).completeBaseName() + ".txt");
                    if (QFileInfo::exists(label)) report.add(dataset::importYoloSeg(*store_, image, label.toStdString(), {}));
                }
            } else {
                throw UserError("unknown import format '" + format.toStdString() + "'");
            }
            e.label = tr("Import %n region(s)", nullptr, report.annotationsAdded).toStdString();
            auto& ids = store_->database().prepare("SELECT id FROM annotations WHERE id > ?1 ORDER BY id");
            ids.bind(1, before);
            std::vector<RowId> added;
            while (ids.step()) added.push_back(ids.int64(0));
            ids.reset();
            for (RowId id : added) e.changes.push_back({std::nullopt, edit::captureRegion(*store_, id)});
            if (!added.empty()) seq = store_->appendEdit(e.label, std::nullopt, edit::toJson(e));
        });
    });
    if (!err.isEmpty()) return tr("Error: %1").arg(err);  // nothing of it was saved
    loadClasses();
    if (seq) {
        RegionCommand::setReplaying(true);  // already in the store: the stack only learns the step
        undo_->push(new RegionCommand(
            store_.get(), seq, std::move(e), [this](RowId image) { emit regionsChanged(image); },
            [this](const QString& m) { emit editFailed(m); }));
        RegionCommand::setReplaying(false);
    }
    emit imagesChanged();
    emit regionsChanged(0);
    QString summary = tr("Imported %n region(s)", nullptr, report.annotationsAdded);
    summary += tr("; %n image(s) added", nullptr, report.imagesAdded);
    if (report.duplicates) summary += tr("; %n already in the project", nullptr, report.duplicates);
    if (!report.skipped.empty()) summary += tr("; %n record(s) skipped: %1", nullptr, static_cast<int>(report.skipped.size()))
                                                .arg(QString::fromStdString(report.skipped.front()));
    return summary;
}

RowId ProjectSession::addClass(const QString& name) {
    if (!store_) return 0;
    const QString trimmed = name.trimmed();
    for (const LabelClass& c : classes_)
        if (QString::fromStdString(c.name).compare(trimmed, Qt::CaseInsensitive) == 0) return c.id;
    static const char* palette[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
                                    "#bfef45", "#469990", "#9a6324", "#800000", "#808000", "#000075"};
    RowId id = 0;
    const QString err = guarded([&] {
        id = store_->addClass(trimmed.toStdString(), palette[classes_.size() % std::size(palette)]);
    });
    if (!err.isEmpty()) {
        emit editFailed(err);
        return 0;
    }
    loadClasses();
    return id;
}

QString ProjectSession::lock(const QString& path) {
    auto lock = std::make_unique<QLockFile>(path + QStringLiteral(".lock"));
    // Never stale by age: only a lock whose process is gone (a killed studio) is taken over.
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        lock->getLockInfo(&pid, &host, &app);
        if (lock->error() == QLockFile::LockFailedError)
            return tr("'%1' is already open in another SAMTok Studio (process %2 on %3). Close it there first: two "
                      "windows on one project would undo each other's work.")
                .arg(path)
                .arg(pid)
                .arg(host);
        // No permission for a lock file beside it (a read-only folder): go on without one.
        lock.reset();
    }
    lock_ = std::move(lock);
    return {};
}

QString ProjectSession::create(const QString& path, const QString& name) {
    std::unique_ptr<ProjectStore> s;
    const QString err = guarded([&] {
        s = std::make_unique<ProjectStore>(ProjectStore::create(path.toStdString(), name.toStdString()));
    });
    if (!err.isEmpty()) return err;
    lock_.reset();
    lock(QFileInfo(path).absoluteFilePath());
    store_ = std::move(s);
    loadClasses();
    rebuildHistory();
    remember(projectPath());
    emit projectChanged();
    return {};
}

QString ProjectSession::open(const QString& path) {
    const QString canonical = QFileInfo(path).absoluteFilePath();
    if (store_ && QFileInfo(projectPath()).absoluteFilePath() == canonical) return {};  // already open here
    std::unique_ptr<QLockFile> previous = std::move(lock_);
    if (const QString busy = lock(canonical); !busy.isEmpty()) {
        lock_ = std::move(previous);
        return busy;
    }
    std::unique_ptr<ProjectStore> s;
    const QString err = guarded([&] { s = std::make_unique<ProjectStore>(ProjectStore::open(path.toStdString())); });
    if (!err.isEmpty()) {
        lock_ = std::move(previous);
        return err;
    }
    store_ = std::move(s);
    loadClasses();
    rebuildHistory();
    remember(projectPath());
    emit projectChanged();
    return {};
}

QString ProjectSession::openSample(const QString& folder, bool* rendered) {
    const QString project = QDir(folder).filePath(QStringLiteral("sample.samtok"));
    if (rendered) *rendered = false;
    if (!QFileInfo::exists(project)) {
        const QString err = guarded([&] { createSampleProject(folder.toStdString()); });
        if (!err.isEmpty()) return err;
        if (rendered) *rendered = true;
    }
    return open(project);
}

void ProjectSession::close() {
    undo_->clear();
    store_.reset();
    lock_.reset();
    classes_.clear();
    emit projectChanged();
}

void ProjectSession::loadClasses() { classes_ = store_ ? store_->classes() : std::vector<LabelClass>{}; }

QString ProjectSession::className(std::optional<RowId> classId) const {
    for (const LabelClass& c : classes_)
        if (classId && c.id == *classId) return QString::fromStdString(c.name);
    return tr("(no class)");
}

QColor ProjectSession::classColor(std::optional<RowId> classId) const {
    for (const LabelClass& c : classes_)
        if (classId && c.id == *classId) return QColor(QString::fromStdString(c.color));
    return QColor(0xff, 0xff, 0x00);
}

LoadedImage ProjectSession::loadImage(RowId id) const {
    LoadedImage out;
    out.id = id;
    if (!store_) return out;
    const QString err = guarded([&] {
        const auto rec = store_->image(id);
        if (!rec) throw UserError("the image was removed from the project");
        const DecodedImage img = readImage(store_->resolveImagePath(*rec));
        out.image = QImage(img.rgb.data, img.rgb.cols, img.rgb.rows, static_cast<int>(img.rgb.step),
                           QImage::Format_RGB888)
                        .copy();
    });
    out.error = err;
    return out;
}

LoadedImage ProjectSession::loadRegions(RowId id, int width, int height, std::optional<RowId> selected, bool render) const {
    LoadedImage out;
    out.id = id;
    if (!store_) return out;
    out.error = guarded([&] {
        out.annotations = store_->readableAnnotationsForImage(id, out.damaged);
        if (!render) return;
        std::vector<OverlayMask> masks;
        for (const Annotation& a : out.annotations) masks.push_back({a.mask, classColor(a.classId), selected == a.id});
        out.overlay = renderOverlay(masks, width, height);
    });
    return out;
}

AddImagesReport ProjectSession::addImages(const QStringList& paths,
                                          const std::function<bool(std::size_t, std::size_t)>& progress) {
    AddImagesReport report;
    if (!store_) return report;
    std::vector<std::string> inputs;
    for (const QString& p : paths) inputs.push_back(p.toStdString());
    const QString err = guarded([&] { report = samtok::addImages(*store_, collectImageFiles(inputs), progress); });
    if (!err.isEmpty()) report.failed.emplace_back(std::string(), err.toStdString());
    if (!report.added.empty()) emit imagesChanged();
    return report;
}

QStringList ProjectSession::recentProjects() {
    QStringList out;
    for (const QString& p : QSettings().value(kRecentKey).toStringList())
        if (QFileInfo::exists(p)) out << p;
    return out;
}

void ProjectSession::remember(const QString& path) {
    QSettings settings;
    QStringList list = settings.value(kRecentKey).toStringList();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent) list.removeLast();
    settings.setValue(kRecentKey, list);
}

}  // namespace samtok::ui
