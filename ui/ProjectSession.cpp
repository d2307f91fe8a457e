#include "ProjectSession.h"

#include "MaskOverlay.h"
#include "RegionCommand.h"
#include "dataset/Import.h"
#include "export/AnnotationExport.h"
#include "io/ImageIO.h"
#include "pipeline/ActiveModel.h"
#include "sample/SampleScenes.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QSettings>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <map>
#include <tuple>

namespace samtok::ui {
namespace {
constexpr int kMaxRecent = 10;
const char* kRecentKey = "recentProjects";
}  // namespace

ProjectSession::ProjectSession(QObject* parent)
    : QObject(parent), watch_(new QTimer(this)), undo_(new QUndoStack(this)) {
    watch_->setInterval(1000);
    connect(watch_, &QTimer::timeout, this, &ProjectSession::checkDataVersion);
}

ProjectSession::~ProjectSession() = default;

QString ProjectSession::projectName() const {
    return store_ ? QString::fromStdString(store_->name()) : QString();
}
QString ProjectSession::projectPath() const {
    return store_ ? QString::fromStdString(store_->path()) : QString();
}

template <typename F>
static QString guarded(F&& f) {
    try {
        f();
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

void ProjectSession::setWatchInterval(int millis) {
    watch_->setInterval(millis);
}

// Several processes may use the project at once (SQLite's WAL: readers never
// wait, writers wait for each other). PRAGMA data_version changes when another
// connection commits; the views then reload what they show.
void ProjectSession::watchForOtherWriters() {
    watch_->stop();
    if (!store_) return;
    dataVersion_ = 0;
    guarded([&] { dataVersion_ = store_->dataVersion(); });
    watch_->start();
}

void ProjectSession::acknowledgeOwnCommits() {
    if (store_) guarded([&] { dataVersion_ = store_->dataVersion(); });
}

void ProjectSession::checkDataVersion() {
    if (!store_) return;
    std::int64_t now = dataVersion_;
    if (!guarded([&] { now = store_->dataVersion(); }).isEmpty() || now == dataVersion_) return;
    dataVersion_ = now;
    loadClasses();
    emit changedElsewhere();
    emit imagesChanged();
    emit regionsChanged(0);
}

void ProjectSession::rebuildHistory() {
    undo_->clear();
    if (!store_) return;
    std::vector<EditRecord> history;
    if (const QString err = guarded([&] { history = store_->edits(); }); !err.isEmpty())
        emit warning(tr("The undo history could not be read (%1): edits from now on can be undone").arg(err));
    int applied = 0;
    for (const auto& r : history) {
        try {
            auto* c = new RegionCommand(
                store_.get(), r.seq, edit::editFromJson(r.payload),
                r.undone ? RegionCommand::InStore::Undone : RegionCommand::InStore::Applied,
                [this](RowId image) { emit regionsChanged(image); }, [this](const QString& m) { emit editFailed(m); });
            undo_->push(c);
            if (!r.undone) applied = undo_->count();
        } catch (const std::exception& e) {  // a damaged entry: the history starts after it
            undo_->clear();
            applied = 0;
            emit warning(tr("Undo history entry %1 is damaged (%2): the edits before it cannot be undone")
                             .arg(r.seq)
                             .arg(QString::fromStdString(e.what())));
        }
    }
    undo_->setIndex(applied);
    undo_->setClean();
}

std::vector<RowId> ProjectSession::apply(edit::RegionEdit e) {
    if (!store_) return {};
    const bool creates = std::any_of(e.changes.begin(), e.changes.end(), [](const auto& c) { return !c.before; });
    auto* command = new RegionCommand(
        store_.get(), std::move(e), [this](RowId image) { emit regionsChanged(image); },
        [this](const QString& m) { emit editFailed(m); });
    std::vector<RowId> created;
    undo_->push(command);  // runs redo(), which fills in the new ids
    if (creates)
        for (const auto& c : command->edit().changes)
            if (!c.before && c.after && c.after->annotation.id != 0) created.push_back(c.after->annotation.id);
    // An image that gets its first region is no longer unlabelled: it is in progress until marked done.
    if (!created.empty()) {
        const RowId image = command->edit().changes.front().after->annotation.imageId;
        if (const auto rec = store_->image(image); rec && rec->status == ImageStatus::Unlabelled)
            setImageStatus(image, ImageStatus::InProgress);
    }
    return created;
}

ProjectSession::ImportOutcome ProjectSession::exportAnnotations(const QString& format, const QString& path) const {
    if (!store_) return {{}, tr("no project is open")};
    exporter::AnnotationExportReport r;
    const QString err = guarded([&] {
        const std::string p = path.toStdString();
        if (format == QLatin1String("coco")) {
            exporter::CocoExportOptions o;
            o.jsonPath = p;
            r = exporter::exportCoco(*store_, o);
        } else if (format == QLatin1String("labelme")) {
            r = exporter::exportLabelMe(*store_, p);
        } else if (format == QLatin1String("yolo")) {
            r = exporter::exportYoloSeg(*store_, p);
        } else {
            throw UserError("unknown export format '" + format.toStdString() + "'");
        }
    });
    if (!err.isEmpty()) return {{}, err};
    QString summary = tr("Exported %n region(s)", nullptr, r.annotations) +
                      tr(" of %n image(s) to %1", nullptr, r.images).arg(QDir::toNativeSeparators(path));
    for (const auto& note : r.notes) summary += QStringLiteral("; ") + QString::fromStdString(note);
    return {summary, {}};
}

ProjectSession::ImportOutcome ProjectSession::importAnnotations(const QString& format, const QString& path,
                                                                const QString& second) {
    if (!store_) return {{}, tr("no project is open")};
    dataset::ImportReport report;
    edit::RegionEdit e;
    std::int64_t seq = 0;
    const QString err = guarded([&] {
        store_->transaction([&] {
            const RowId before = store_->lastAnnotationId();
            const std::string p = path.toStdString();
            if (format == QLatin1String("coco")) {
                report = dataset::importCoco(*store_, p, QFileInfo(path).absolutePath().toStdString());
            } else if (format == QLatin1String("labelme")) {
                report = dataset::importLabelMeSources(*store_, {p});
            } else if (format == QLatin1String("yolo")) {
                report = dataset::importYoloFolder(*store_, p, second.toStdString(), {});
            } else {
                throw UserError("unknown import format '" + format.toStdString() + "'");
            }
            e.label = tr("Import %n region(s)", nullptr, report.annotationsAdded).toStdString();
            const std::vector<RowId> added = store_->annotationIdsAfter(before);
            for (RowId id : added) e.changes.push_back({std::nullopt, edit::captureRegion(*store_, id)});
            if (!added.empty()) seq = store_->appendEdit(e.label, std::nullopt, edit::toJson(e));
        });
    });
    if (!err.isEmpty()) return {{}, err};  // nothing of it was saved
    loadClasses();
    if (seq) {
        // Already in the store: the stack only learns the step.
        undo_->push(new RegionCommand(
            store_.get(), seq, std::move(e), RegionCommand::InStore::Applied,
            [this](RowId image) { emit regionsChanged(image); }, [this](const QString& m) { emit editFailed(m); }));
    }
    emit imagesChanged();
    emit regionsChanged(0);
    QString summary = tr("Imported %n region(s)", nullptr, report.annotationsAdded);
    summary += tr("; %n image(s) added", nullptr, report.imagesAdded);
    if (report.duplicates) summary += tr("; %n already in the project", nullptr, report.duplicates);
    if (report.imagesWithoutLabels)
        summary += tr("; %n image(s) without a label file not imported", nullptr, report.imagesWithoutLabels);
    if (report.filesSkipped) summary += tr("; %n other JSON file(s) left alone", nullptr, report.filesSkipped);
    if (!report.skipped.empty())
        summary += tr("; %n record(s) skipped: %1", nullptr, static_cast<int>(report.skipped.size()))
                       .arg(QString::fromStdString(report.skipped.front()));
    return {summary, {}};
}

RowId ProjectSession::addClass(const QString& name) {
    if (!store_) return 0;
    const QString trimmed = name.trimmed();
    for (const LabelClass& c : classes_)
        if (QString::fromStdString(c.name).compare(trimmed, Qt::CaseInsensitive) == 0) return c.id;
    static const char* palette[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
                                    "#bfef45", "#469990", "#9a6324", "#800000", "#808000", "#000075"};
    RowId id = 0;
    const QString err =
        guarded([&] { id = store_->addClass(trimmed.toStdString(), palette[classes_.size() % std::size(palette)]); });
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
    const QString err = guarded(
        [&] { s = std::make_unique<ProjectStore>(ProjectStore::create(path.toStdString(), name.toStdString())); });
    if (!err.isEmpty()) return err;
    lock_.reset();
    lock(QFileInfo(path).absoluteFilePath());
    store_ = std::move(s);
    loadClasses();
    rebuildHistory();
    remember(projectPath());
    watchForOtherWriters();
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
    watchForOtherWriters();
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
    watch_->stop();
    undo_->clear();
    store_.reset();
    lock_.reset();
    classes_.clear();
    emit projectChanged();
}

void ProjectSession::loadClasses() {
    classes_ = store_ ? store_->classes() : std::vector<LabelClass>{};
}

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

QColor ProjectSession::regionColor(const Annotation& a) const {
    if (a.classId) return classColor(a.classId);
    // Without a class, each region has a colour of its own (the golden angle apart), so that neighbours read
    // as separate instances.
    const int hue = static_cast<int>((static_cast<std::uint64_t>(a.id) * 137 + 40) % 360);
    return QColor::fromHsv(hue, 200, 255);
}

LoadedImage ProjectSession::loadImage(RowId id) const {
    LoadedImage out;
    out.id = id;
    if (!store_) return out;
    const QString err = guarded([&] {
        const auto rec = store_->image(id);
        if (!rec) throw UserError("the image was removed from the project");
        out = decodeImageFile(id, store_->resolveImagePath(*rec));
    });
    if (!err.isEmpty()) out.error = err;
    return out;
}

LoadedImage ProjectSession::decodeImageFile(RowId id, const std::string& path) {
    LoadedImage out;
    out.id = id;
    try {
        const DecodedImage img = readImage(path);
        out.image =
            QImage(img.rgb.data, img.rgb.cols, img.rgb.rows, static_cast<int>(img.rgb.step), QImage::Format_RGB888)
                .copy();
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

LoadedImage ProjectSession::loadRegions(RowId id, int width, int height, std::optional<RowId> selected,
                                        bool render) const {
    LoadedImage out;
    out.id = id;
    if (!store_) return out;
    out.error = guarded([&] {
        out.annotations = store_->readableAnnotationsForImage(id, out.damaged);
        if (!render) return;
        std::vector<OverlayMask> masks;
        for (const Annotation& a : out.annotations) masks.push_back({a.mask, regionColor(a), selected == a.id});
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

// ---- typed reads and actions for the widgets ----

namespace {

ImageRef toRef(const ProjectStore& store, const ImageRecord& r) {
    return {r.id,
            QString::fromStdString(store.resolveImagePath(r)),
            QString::fromStdString(r.path),
            QString::fromStdString(r.checksum),
            r.width,
            r.height,
            r.status};
}

}  // namespace

std::vector<ImageRef> ProjectSession::images() const {
    std::vector<ImageRef> out;
    if (!store_) return out;
    guarded([&] {
        for (const ImageRecord& r : store_->images()) out.push_back(toRef(*store_, r));
    });
    return out;
}

std::optional<ImageRef> ProjectSession::image(RowId id) const {
    std::optional<ImageRef> out;
    if (store_)
        guarded([&] {
            if (const auto r = store_->image(id)) out = toRef(*store_, *r);
        });
    return out;
}

std::int64_t ProjectSession::imageCount() const {
    std::int64_t n = 0;
    if (store_) guarded([&] { n = store_->imageCount(); });
    return n;
}

std::vector<RowId> ProjectSession::imagesWithClass(RowId classId) const {
    std::vector<RowId> out;
    if (store_) guarded([&] { out = store_->imagesWithClass(classId); });
    return out;
}

std::optional<Annotation> ProjectSession::annotation(RowId id) const {
    std::optional<Annotation> out;
    if (store_) guarded([&] { out = store_->annotation(id); });
    return out;
}

std::vector<Annotation> ProjectSession::readableRegions(RowId imageId, std::vector<DamagedAnnotation>* damaged) const {
    std::vector<Annotation> out;
    std::vector<DamagedAnnotation> d;
    if (store_) guarded([&] { out = store_->readableAnnotationsForImage(imageId, d); });
    if (damaged) *damaged = std::move(d);
    return out;
}

std::vector<std::string> ProjectSession::referringExpressions(RowId annotationId) const {
    std::vector<std::string> out;
    if (store_) guarded([&] { out = store_->referringExpressions(annotationId); });
    return out;
}

void ProjectSession::setImageStatus(RowId id, ImageStatus status) {
    if (!store_) return;
    if (const QString err = guarded([&] { store_->setImageStatus(id, status); }); !err.isEmpty()) {
        emit editFailed(err);
        return;
    }
    emit imageStatusChanged(id, status);
}

// Builds an edit from what the store holds now, then applies it as one undoable step; a failure to build it (the
// region is gone or damaged) is reported as a failed edit.
void ProjectSession::applyBuilt(const std::function<edit::RegionEdit()>& build) {
    if (!store_) return;
    edit::RegionEdit e;
    if (const QString err = guarded([&] { e = build(); }); !err.isEmpty()) {
        emit editFailed(err);
        return;
    }
    apply(std::move(e));
}

void ProjectSession::deleteRegion(const QString& label, RowId id) {
    applyBuilt([&] { return edit::deleteRegion(*store_, label.toStdString(), id); });
}

void ProjectSession::updateRegion(const QString& label, const Annotation& changed) {
    applyBuilt([&] { return edit::updateRegion(*store_, label.toStdString(), changed); });
}

void ProjectSession::describeRegion(const QString& label, RowId id, const QString& caption,
                                    const std::vector<std::string>& texts, ReviewState review) {
    applyBuilt(
        [&] { return edit::describeRegion(*store_, label.toStdString(), id, caption.toStdString(), texts, review); });
}

void ProjectSession::setActiveModel(std::optional<ModelSummary> model) {
    active_ = std::move(model);
}

std::optional<RowId> ProjectSession::activeTokenizerId() const {
    std::optional<RowId> out;
    if (!store_ || !active_) return out;
    guarded([&] {
        for (const TokenizerModel& t : store_->tokenizers())
            if (t.checkpointSha256 == active_->sha256.toStdString()) out = t.id;
    });
    return out;
}

std::optional<MaskTokens> ProjectSession::activeTokens(RowId annotationId) const {
    const auto tokenizer = activeTokenizerId();
    std::optional<MaskTokens> out;
    if (!tokenizer) return out;
    guarded([&] {
        for (const MaskTokens& t : store_->tokensFor(annotationId))
            if (t.tokenizerId == *tokenizer) out = t;
    });
    return out;
}

std::vector<std::optional<ShownTokens>> ProjectSession::shownTokens(const std::vector<RowId>& annotationIds) const {
    std::vector<std::optional<ShownTokens>> out(annotationIds.size());
    if (!store_) return out;
    guarded([&] {
        std::map<RowId, std::pair<TokenizerModel, int>> tokenizers;  // with its codebook size, read once
        std::optional<RowId> active;
        for (const TokenizerModel& t : store_->tokenizers()) {
            const bool isActive = active_ && t.checkpointSha256 == active_->sha256.toStdString();
            if (isActive) active = t.id;
            tokenizers[t.id] = {t, isActive ? activeCodebookSize() : pipeline::storedCodebookSize(t)};
        }
        for (std::size_t i = 0; i < annotationIds.size(); ++i) {
            const auto all = store_->tokensFor(annotationIds[i]);
            if (all.empty()) continue;
            const MaskTokens* shown = &all.front();
            for (const MaskTokens& t : all)
                if (active && t.tokenizerId == *active) shown = &t;
            ShownTokens st;
            st.tokens = *shown;
            st.active = active && shown->tokenizerId == *active;
            if (const auto t = tokenizers.find(shown->tokenizerId); t != tokenizers.end())
                std::tie(st.tokenizer, st.codebookSize) = t->second;
            out[i] = st;
        }
    });
    return out;
}

std::optional<ProjectSession::Flagged> ProjectSession::nextFlagged(std::pair<RowId, RowId> after,
                                                                   double threshold) const {
    const auto tokenizer = activeTokenizerId();
    if (!tokenizer) return std::nullopt;
    std::vector<std::pair<RowId, RowId>> flagged;  // (image, region), in image order
    guarded([&] {
        for (const MaskTokens& t : store_->tokensOf(*tokenizer)) {
            if (!t.reconstructionIou || *t.reconstructionIou >= threshold) continue;
            try {
                if (const auto a = store_->annotation(t.annotationId)) flagged.emplace_back(a->imageId, a->id);
            } catch (const FormatError&) {  // a damaged region: its image names it; the others are still found
            }
        }
    });
    if (flagged.empty()) return std::nullopt;
    std::sort(flagged.begin(), flagged.end());
    auto next = std::upper_bound(flagged.begin(), flagged.end(), after);
    if (next == flagged.end()) next = flagged.begin();  // wrap around
    return Flagged{next->first, next->second, static_cast<int>(next - flagged.begin()) + 1,
                   static_cast<int>(flagged.size())};
}

}  // namespace samtok::ui
