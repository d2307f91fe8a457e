#include "store/ProjectStore.h"

#include "store/Schema.h"
#include "store/Sqlite.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace samtok {
namespace {

constexpr char kSqliteMagic[] = "SQLite format 3";  // plus its NUL: 16 bytes

std::string quoted(const std::string& p) {
    return "'" + p + "'";
}

// Refuses what cannot be a project before SQLite opens it: only stat(), no
// descriptor (see Database::fileStart).
void requireProjectPath(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw UserError(quoted(path) + ": no such project file");
    if (fs::is_directory(st)) throw UserError(quoted(path) + ": is a directory, not a project file");
}

// Refuses anything that is not an SQLite database, reading its header through
// the connection's own file handle, before SQLite reads a page of it.
void requireSqliteHeader(const sql::Database& db, const std::string& path) {
    sql::Database::FileStart start;
    try {
        start = db.fileStart(16);
    } catch (const StoreError& e) {
        throw UserError(quoted(path) + ": cannot be read (" + e.what() + ")");
    }
    if (start.size == 0) throw UserError(quoted(path) + ": empty file, not a SAMTok project");
    if (start.bytes.size() < 16 || std::memcmp(start.bytes.data(), kSqliteMagic, 16) != 0)
        throw UserError(quoted(path) + ": not a SAMTok project (not an SQLite database)");
}

// Another process may be writing or checkpointing (a `samtok` command beside the studio): wait for its
// transaction, which is one user action or one image's tokens, instead of failing at once. Set before the
// first read: even the open's own checks can meet a lock held for a moment.
void waitForOtherPrograms(sql::Database& db) {
    db.exec("PRAGMA busy_timeout = 15000");
}

void configureConnection(sql::Database& db) {
    db.exec("PRAGMA foreign_keys = ON");
    waitForOtherPrograms(db);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
}

void migrate(sql::Database& db, int from) {
    const auto& all = schema::migrations();
    for (int v = from; v < static_cast<int>(all.size()); ++v) {
        sql::Transaction t(db);
        db.exec(all[static_cast<std::size_t>(v)]);
        db.exec("PRAGMA user_version = " + std::to_string(v + 1));
        t.commit();
    }
}

// Each table's columns, as the file's own schema declares them.
std::map<std::string, std::set<std::string>> columnsOf(sql::Database& db) {
    std::vector<std::string> tables;
    auto& list = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    while (list.step()) tables.push_back(list.text(0));
    list.reset();
    std::map<std::string, std::set<std::string>> columns;
    for (const auto& table : tables) {
        auto& info = db.prepare("SELECT name FROM pragma_table_info(?1)");
        info.bind(1, table);
        while (info.step()) columns[table].insert(info.text(0));
        info.reset();
    }
    return columns;
}

// The tables and columns this program reads: those of the schema it creates, made once in memory.
const std::map<std::string, std::set<std::string>>& ourColumns() {
    static const auto columns = [] {
        sql::Database memory(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        migrate(memory, 0);
        return columnsOf(memory);
    }();
    return columns;
}

// A file whose schema lacks a table or column of ours (damaged, or edited by another program) is refused when it is
// opened, by name, instead of failing at its first read. Columns a file adds beside ours are left alone.
void requireOurTables(sql::Database& db, const std::string& path) {
    std::map<std::string, std::set<std::string>> have;
    try {
        have = columnsOf(db);
    } catch (const LockedError&) {
        throw;
    } catch (const StoreError& e) {
        throw UserError(quoted(path) + ": the project file is damaged (its schema cannot be read: " + e.what() + ")");
    }
    for (const auto& [table, columns] : ourColumns()) {
        const auto it = have.find(table);
        if (it == have.end())
            throw UserError(quoted(path) + ": the project file is damaged (its table '" + table + "' is missing)");
        for (const auto& c : columns)
            if (!it->second.count(c))
                throw UserError(quoted(path) + ": the project file is damaged (table '" + table + "' has no column '" +
                                c + "')");
    }
}

std::string absolutePath(const std::string& p) {
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(fs::absolute(p), ec);
    return ec ? fs::absolute(p).lexically_normal().string() : abs.string();
}

ImageRecord readImage(const sql::Statement& s) {
    ImageRecord r;
    r.id = s.int64(0);
    r.path = s.text(1);
    r.width = static_cast<int>(s.int64(2));
    r.height = static_cast<int>(s.int64(3));
    r.checksum = s.text(4);
    r.status = imageStatusFromString(s.text(5));
    r.addedAt = s.int64(6);
    return r;
}

constexpr const char* kImageColumns = "SELECT id, path, width, height, checksum, status, added_at FROM images";
constexpr const char* kAnnotationColumns =
    "SELECT id, image_id, class_id, mask_height, mask_width, rle_counts, bbox_x, bbox_y, bbox_w, bbox_h, area,"
    " source, caption, review_state, created_at, updated_at, polygon FROM annotations";

// A polygon column as JSON [[x, y], ...]: what the schema's json_valid lets through is checked here too.
std::string polygonJson(const std::vector<std::array<double, 2>>& polygon) {
    return nlohmann::json(polygon).dump();
}

std::vector<std::array<double, 2>> polygonFromJson(const std::string& text, RowId id) {
    try {
        return nlohmann::json::parse(text).get<std::vector<std::array<double, 2>>>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError("annotation " + std::to_string(id) + " has a damaged polygon: " + e.what());
    }
}

Annotation readAnnotation(const sql::Statement& s) {
    Annotation a;
    a.id = s.int64(0);
    a.imageId = s.int64(1);
    if (!s.isNull(2)) a.classId = s.int64(2);
    const int h = static_cast<int>(s.int64(3)), w = static_cast<int>(s.int64(4));
    try {
        a.mask = rle::fromString(s.text(5), h, w);
    } catch (const FormatError& e) {
        throw FormatError("annotation " + std::to_string(a.id) + " has a damaged mask: " + e.what());
    }
    a.bbox = {static_cast<int>(s.int64(6)), static_cast<int>(s.int64(7)), static_cast<int>(s.int64(8)),
              static_cast<int>(s.int64(9))};
    a.area = static_cast<std::uint64_t>(s.int64(10));
    a.source = annotationSourceFromString(s.text(11));
    a.caption = s.text(12);
    a.review = reviewStateFromString(s.text(13));
    a.createdAt = s.int64(14);
    a.updatedAt = s.int64(15);
    if (!s.isNull(16)) a.polygon = polygonFromJson(s.text(16), a.id);
    return a;
}

void bindMask(sql::Statement& s, int first, const Rle& mask) {
    if (mask.height <= 0 || mask.width <= 0) throw UserError("an annotation needs a non-empty mask size");
    const PixelBox box = rle::toBbox(mask);
    s.bind(first, mask.height)
        .bind(first + 1, mask.width)
        .bind(first + 2, rle::toString(mask))
        .bind(first + 3, box.x)
        .bind(first + 4, box.y)
        .bind(first + 5, box.width)
        .bind(first + 6, box.height)
        .bind(first + 7, static_cast<std::int64_t>(rle::area(mask)));
}

}  // namespace

ProjectStore::ProjectStore(std::string path, std::unique_ptr<sql::Database> db)
    : path_(std::move(path)), db_(std::move(db)) {}
ProjectStore::ProjectStore(ProjectStore&&) noexcept = default;
ProjectStore& ProjectStore::operator=(ProjectStore&&) noexcept = default;
ProjectStore::~ProjectStore() = default;

ProjectStore ProjectStore::create(const std::string& path, const std::string& name) {
    std::error_code ec;
    if (fs::exists(path, ec)) throw UserError(quoted(path) + ": already exists; open it instead");
    const fs::path parent = fs::absolute(path).parent_path();
    if (!fs::is_directory(parent, ec)) throw UserError(quoted(parent.string()) + ": no such folder");
    auto db = std::make_unique<sql::Database>(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db->exec("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
    configureConnection(*db);
    migrate(*db, 0);
    ProjectStore store(absolutePath(path), std::move(db));
    store.transaction([&] {
        store.setMeta("name", name);
        store.setMeta("created_at", std::to_string(nowMillis()));
    });
    return store;
}

ProjectStore ProjectStore::open(const std::string& path) {
    requireProjectPath(path);
    std::unique_ptr<sql::Database> db;
    try {
        db = std::make_unique<sql::Database>(path, SQLITE_OPEN_READWRITE);
    } catch (const StoreError& e) {
        throw UserError(quoted(path) + ": cannot be opened (" + e.what() + ")");
    }
    waitForOtherPrograms(*db);
    requireSqliteHeader(*db, path);
    // Checks read only; nothing is written before they pass.
    std::string check;
    try {
        check = db->queryText("PRAGMA quick_check").value_or("no answer");
    } catch (const LockedError& e) {
        throw UserError(quoted(path) + ": cannot be opened now (" + e.what() + ")");
    } catch (const StoreError& e) {
        throw UserError(quoted(path) + ": the project file is corrupt (" + e.what() + ")");
    }
    if (check != "ok") throw UserError(quoted(path) + ": the project file is corrupt (" + check + ")");
    const auto appId = db->queryInt("PRAGMA application_id");
    const auto version = db->queryInt("PRAGMA user_version");
    if (appId != schema::kApplicationId)
        throw UserError(quoted(path) + ": an SQLite database, but not a SAMTok Studio project");
    if (version > schema::currentVersion())
        throw UserError(quoted(path) + ": written by a newer SAMTok Studio (schema v" + std::to_string(version) +
                        "; this program reads up to v" + std::to_string(schema::currentVersion()) + ")");
    configureConnection(*db);
    // An older file is migrated and checked in one transaction, so that a file refused here keeps the version it
    // had; a current one is only read, with no write lock taken.
    try {
        if (version == schema::currentVersion()) {
            requireOurTables(*db, path);
        } else {
            sql::Transaction t(*db);
            migrate(*db, static_cast<int>(version));
            requireOurTables(*db, path);
            t.commit();
        }
    } catch (const LockedError& e) {
        throw UserError(quoted(path) + ": cannot be opened now (" + e.what() + ")");
    } catch (const StoreError& e) {
        throw UserError(quoted(path) + ": cannot be brought up to date (" + e.what() + ")");
    }
    return ProjectStore(absolutePath(path), std::move(db));
}

ProjectStore ProjectStore::openReadOnly(const std::string& path) {
    requireProjectPath(path);
    std::error_code ec;
    if (fs::file_size(path + "-wal", ec) > 0 && !ec)
        throw UserError(quoted(path) + ": has changes still in " + quoted(path + "-wal") +
                        ": close the programs using it, or run `samtok project info` on it once, before reading it "
                        "from many machines");
    std::unique_ptr<sql::Database> db;
    try {
        // A URI with immutable=1: no locks, no -shm, nothing written (safe on network file systems).
        std::string uri = "file:";
        for (char c : absolutePath(path)) {
            if (c == '%' || c == '?' || c == '#') {
                char hex[4];
                std::snprintf(hex, sizeof hex, "%%%02x", static_cast<unsigned char>(c));
                uri += hex;
            } else {
                uri += c;
            }
        }
        db = std::make_unique<sql::Database>(uri + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    } catch (const StoreError& e) {
        throw UserError(quoted(path) + ": cannot be opened (" + e.what() + ")");
    }
    requireSqliteHeader(*db, path);
    if (db->queryInt("PRAGMA application_id") != schema::kApplicationId)
        throw UserError(quoted(path) + ": an SQLite database, but not a SAMTok Studio project");
    const auto version = db->queryInt("PRAGMA user_version");
    if (version != schema::currentVersion())
        throw UserError(quoted(path) + ": schema v" + std::to_string(version) + ", this program reads v" +
                        std::to_string(schema::currentVersion()) +
                        " read-only: open it once with `samtok project info` to bring it up to date");
    db->exec("PRAGMA query_only = ON");
    requireOurTables(*db, path);
    return ProjectStore(absolutePath(path), std::move(db));
}

std::string ProjectStore::directory() const {
    return fs::path(path_).parent_path().string();
}

int ProjectStore::schemaVersion() const {
    return static_cast<int>(db_->queryInt("PRAGMA user_version"));
}

void ProjectStore::transaction(const std::function<void()>& fn) {
    sql::Transaction t(*db_);
    fn();
    t.commit();
}

std::string ProjectStore::name() const {
    return meta("name").value_or(fs::path(path_).stem().string());
}

void ProjectStore::setMeta(const std::string& key, const std::string& value) {
    db_->prepare("INSERT INTO project_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2")
        .bind(1, key)
        .bind(2, value)
        .run();
}

std::optional<std::string> ProjectStore::meta(const std::string& key) const {
    auto& s = db_->prepare("SELECT value FROM project_meta WHERE key = ?1");
    s.bind(1, key);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

std::optional<RowId> ProjectStore::findImageByChecksum(const std::string& checksum) const {
    auto& s = db_->prepare("SELECT id FROM images WHERE checksum = ?1");
    s.bind(1, checksum);
    std::optional<RowId> out;
    if (s.step()) out = s.int64(0);
    s.reset();
    return out;
}

RowId ProjectStore::addImage(const NewImage& image) {
    // Inside the project's folder, store the path relative to it, so the
    // project can move together with its images.
    const fs::path abs = absolutePath(image.path);
    const fs::path rel = abs.lexically_relative(directory());
    const bool inside = !rel.empty() && *rel.begin() != "..";
    db_->prepare("INSERT INTO images(path, width, height, checksum, added_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, inside ? rel.string() : abs.string())
        .bind(2, image.width)
        .bind(3, image.height)
        .bind(4, image.checksum)
        .bind(5, nowMillis())
        .run();
    return db_->lastInsertId();
}

std::vector<ImageRecord> ProjectStore::images(const ImageFilter& filter) const {
    std::string sqlText = std::string(kImageColumns) + " WHERE (?1 IS NULL OR status = ?1)" +
                          " AND (?2 = '' OR instr(lower(path), lower(?2)) > 0) ORDER BY id";
    auto& s = db_->prepare(sqlText);
    if (filter.status) s.bind(1, toString(*filter.status));
    s.bind(2, filter.nameContains);
    std::vector<ImageRecord> out;
    while (s.step()) out.push_back(readImage(s));
    s.reset();
    return out;
}

std::optional<ImageRecord> ProjectStore::image(RowId id) const {
    auto& s = db_->prepare(std::string(kImageColumns) + " WHERE id = ?1");
    s.bind(1, id);
    std::optional<ImageRecord> out;
    if (s.step()) out = readImage(s);
    s.reset();
    return out;
}

std::int64_t ProjectStore::imageCount() const {
    return db_->queryInt("SELECT count(*) FROM images");
}

std::map<ImageStatus, std::int64_t> ProjectStore::imageCountsByStatus() const {
    std::map<ImageStatus, std::int64_t> out{
        {ImageStatus::Unlabelled, 0}, {ImageStatus::InProgress, 0}, {ImageStatus::Done, 0}, {ImageStatus::Reviewed, 0}};
    auto& s = db_->prepare("SELECT status, count(*) FROM images GROUP BY status");
    while (s.step()) out[imageStatusFromString(s.text(0))] = s.int64(1);
    s.reset();
    return out;
}

void ProjectStore::setImageStatus(RowId id, ImageStatus status) {
    db_->prepare("UPDATE images SET status = ?2 WHERE id = ?1").bind(1, id).bind(2, toString(status)).run();
    if (db_->changes() == 0) throw UserError("no image with id " + std::to_string(id));
}

std::string ProjectStore::resolveImagePath(const ImageRecord& image) const {
    const fs::path p(image.path);
    return p.is_absolute() ? p.string() : (fs::path(directory()) / p).lexically_normal().string();
}

RowId ProjectStore::addClass(const std::string& name, const std::string& color) {
    db_->prepare(
           "INSERT INTO label_classes(name, color, position) "
           "VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM label_classes))")
        .bind(1, name)
        .bind(2, color)
        .run();
    return db_->lastInsertId();
}

std::vector<LabelClass> ProjectStore::classes() const {
    auto& s = db_->prepare("SELECT id, name, color FROM label_classes ORDER BY position, id");
    std::vector<LabelClass> out;
    while (s.step()) out.push_back({s.int64(0), s.text(1), s.text(2)});
    s.reset();
    return out;
}

RowId ProjectStore::insertAnnotation(const Annotation& a, Millis now, bool keepId) {
    // One statement for both: a NULL id lets SQLite pick the next one.
    auto& s = db_->prepare(
        "INSERT INTO annotations(id, image_id, class_id, mask_height, mask_width, rle_counts, bbox_x, bbox_y, bbox_w,"
        " bbox_h, area, source, caption, review_state, created_at, updated_at, polygon)"
        " VALUES (?15, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?16, ?17)");
    s.bind(1, a.imageId).bind(2, a.classId);
    bindMask(s, 3, a.mask);
    const Millis created = a.createdAt ? a.createdAt : now;
    s.bind(11, toString(a.source)).bind(12, a.caption).bind(13, toString(a.review)).bind(14, created);
    if (keepId)
        s.bind(15, a.id).bind(16, a.updatedAt ? a.updatedAt : now);
    else
        s.bindNull(15).bind(16, created);
    if (a.polygon.empty())
        s.bindNull(17);
    else
        s.bind(17, polygonJson(a.polygon));
    s.run();
    return db_->lastInsertId();
}

RowId ProjectStore::addAnnotation(const Annotation& a) {
    return insertAnnotation(a, nowMillis());
}

std::vector<RowId> ProjectStore::addAnnotations(const std::vector<Annotation>& annotations, std::size_t batchSize) {
    std::vector<RowId> ids;
    ids.reserve(annotations.size());
    const Millis now = nowMillis();
    batchSize = std::max<std::size_t>(1, batchSize);
    for (std::size_t start = 0; start < annotations.size(); start += batchSize) {
        sql::Transaction t(*db_);
        const std::size_t end = std::min(annotations.size(), start + batchSize);
        for (std::size_t i = start; i < end; ++i) ids.push_back(insertAnnotation(annotations[i], now));
        t.commit();
    }
    return ids;
}

void ProjectStore::updateAnnotation(const Annotation& a) {
    auto& s = db_->prepare(
        "UPDATE annotations SET class_id = ?2, mask_height = ?3, mask_width = ?4, rle_counts = ?5, bbox_x = ?6,"
        " bbox_y = ?7, bbox_w = ?8, bbox_h = ?9, area = ?10, source = ?11, caption = ?12, review_state = ?13,"
        " updated_at = ?14, polygon = ?15 WHERE id = ?1");
    s.bind(1, a.id).bind(2, a.classId);
    bindMask(s, 3, a.mask);
    s.bind(11, toString(a.source)).bind(12, a.caption).bind(13, toString(a.review)).bind(14, nowMillis());
    if (a.polygon.empty())
        s.bindNull(15);
    else
        s.bind(15, polygonJson(a.polygon));
    s.run();
    if (db_->changes() == 0) throw UserError("no annotation with id " + std::to_string(a.id));
}

void ProjectStore::restoreAnnotation(const Annotation& a) {
    insertAnnotation(a, nowMillis(), /*keepId=*/true);
}

void ProjectStore::setReferringExpressions(RowId annotationId, const std::vector<std::string>& texts) {
    transaction([&] {
        db_->prepare("DELETE FROM referring_expressions WHERE annotation_id = ?1").bind(1, annotationId).run();
        for (const auto& t : texts) addReferringExpression(annotationId, t);
    });
}

void ProjectStore::clearTokens(RowId annotationId) {
    db_->prepare("DELETE FROM tokens WHERE annotation_id = ?1").bind(1, annotationId).run();
}

void ProjectStore::removeAnnotation(RowId id) {
    db_->prepare("DELETE FROM annotations WHERE id = ?1").bind(1, id).run();
    if (db_->changes() == 0) throw UserError("no annotation with id " + std::to_string(id));
}

namespace {

// Reads the annotation rows a statement yields; a row whose mask does not
// decode throws, or, given `damaged`, is listed there and left out.
std::vector<Annotation> readAnnotations(sql::Statement& s, std::vector<DamagedAnnotation>* damaged) {
    std::vector<Annotation> out;
    try {
        while (s.step()) {
            try {
                out.push_back(readAnnotation(s));
            } catch (const FormatError& e) {
                if (!damaged) throw;
                damaged->push_back({s.int64(0), s.int64(1), e.what()});
            }
        }
    } catch (...) {
        s.reset();  // a statement left mid-step would hold its read snapshot open
        throw;
    }
    s.reset();
    return out;
}

}  // namespace

std::optional<Annotation> ProjectStore::annotation(RowId id) const {
    auto& s = db_->prepare(std::string(kAnnotationColumns) + " WHERE id = ?1");
    s.bind(1, id);
    auto rows = readAnnotations(s, nullptr);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::vector<Annotation> ProjectStore::annotationsForImage(RowId imageId) const {
    auto& s = db_->prepare(std::string(kAnnotationColumns) + " WHERE image_id = ?1 ORDER BY id");
    s.bind(1, imageId);
    return readAnnotations(s, nullptr);
}

std::vector<Annotation> ProjectStore::readableAnnotationsForImage(RowId imageId,
                                                                  std::vector<DamagedAnnotation>& damaged) const {
    auto& s = db_->prepare(std::string(kAnnotationColumns) + " WHERE image_id = ?1 ORDER BY id");
    s.bind(1, imageId);
    return readAnnotations(s, &damaged);
}

std::vector<DamagedAnnotation> ProjectStore::damagedAnnotations() const {
    std::vector<DamagedAnnotation> damaged;
    auto& s = db_->prepare(std::string(kAnnotationColumns) + " ORDER BY id");
    readAnnotations(s, &damaged);
    return damaged;
}

std::int64_t ProjectStore::annotationCount() const {
    return db_->queryInt("SELECT count(*) FROM annotations");
}

RowId ProjectStore::addReferringExpression(RowId annotationId, const std::string& text) {
    db_->prepare("INSERT INTO referring_expressions(annotation_id, text, created_at) VALUES (?1, ?2, ?3)")
        .bind(1, annotationId)
        .bind(2, text)
        .bind(3, nowMillis())
        .run();
    return db_->lastInsertId();
}

std::vector<std::string> ProjectStore::referringExpressions(RowId annotationId) const {
    auto& s = db_->prepare("SELECT text FROM referring_expressions WHERE annotation_id = ?1 ORDER BY id");
    s.bind(1, annotationId);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    s.reset();
    return out;
}

RowId ProjectStore::registerTokenizer(const TokenizerModel& m) {
    db_->prepare(
           "INSERT INTO tokenizer_models(name, config, checkpoint_sha256, registered_at) VALUES (?1, ?2, ?3, ?4)"
           " ON CONFLICT(checkpoint_sha256) DO NOTHING")
        .bind(1, m.name)
        .bind(2, m.configJson)
        .bind(3, m.checkpointSha256)
        .bind(4, nowMillis())
        .run();
    auto& s = db_->prepare("SELECT id FROM tokenizer_models WHERE checkpoint_sha256 = ?1");
    s.bind(1, m.checkpointSha256);
    s.step();
    const RowId id = s.int64(0);
    s.reset();
    return id;
}

std::vector<TokenizerModel> ProjectStore::tokenizers() const {
    auto& s = db_->prepare("SELECT id, name, config, checkpoint_sha256 FROM tokenizer_models ORDER BY id");
    std::vector<TokenizerModel> out;
    while (s.step()) out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3)});
    s.reset();
    return out;
}

void ProjectStore::setTokens(const MaskTokens& t) {
    db_->prepare(
           "INSERT INTO tokens(annotation_id, tokenizer_id, c0, c1, reconstruction_iou, created_at)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(annotation_id, tokenizer_id) DO UPDATE SET"
           " c0 = ?3, c1 = ?4, reconstruction_iou = ?5, created_at = ?6")
        .bind(1, t.annotationId)
        .bind(2, t.tokenizerId)
        .bind(3, t.c0)
        .bind(4, t.c1)
        .bind(5, t.reconstructionIou)
        .bind(6, t.createdAt ? t.createdAt : nowMillis())
        .run();
}

namespace {
// Annotations with no tokens of tokenizer ?1.
constexpr const char* kLacksTokens =
    " NOT EXISTS (SELECT 1 FROM tokens t WHERE t.annotation_id = annotations.id AND t.tokenizer_id = ?1)";
}  // namespace

std::vector<RowId> ProjectStore::imagesNeedingTokens(RowId tokenizerId) const {
    auto& s = db_->prepare(std::string("SELECT DISTINCT image_id FROM annotations WHERE") + kLacksTokens +
                           " ORDER BY image_id");
    s.bind(1, tokenizerId);
    std::vector<RowId> out;
    while (s.step()) out.push_back(s.int64(0));
    s.reset();
    return out;
}

std::int64_t ProjectStore::dataVersion() const {
    return db_->dataVersion();
}

RowId ProjectStore::lastAnnotationId() const {
    return db_->queryInt("SELECT coalesce(max(id), 0) FROM annotations");
}

std::vector<RowId> ProjectStore::annotationIdsAfter(RowId id) const {
    auto& s = db_->prepare("SELECT id FROM annotations WHERE id > ?1 ORDER BY id");
    s.bind(1, id);
    std::vector<RowId> out;
    while (s.step()) out.push_back(s.int64(0));
    s.reset();
    return out;
}

std::vector<RowId> ProjectStore::imagesWithUntokenizedDrawnRegions() const {
    auto& s = db_->prepare(
        "SELECT DISTINCT image_id FROM annotations WHERE source <> 'import' AND"
        " NOT EXISTS (SELECT 1 FROM tokens t WHERE t.annotation_id = annotations.id) ORDER BY image_id");
    std::vector<RowId> out;
    while (s.step()) out.push_back(s.int64(0));
    s.reset();
    return out;
}

std::int64_t ProjectStore::annotationsNeedingTokens(RowId tokenizerId) const {
    auto& s = db_->prepare(std::string("SELECT count(*) FROM annotations WHERE") + kLacksTokens);
    s.bind(1, tokenizerId);
    s.step();
    const std::int64_t n = s.int64(0);
    s.reset();
    return n;
}

std::vector<Annotation> ProjectStore::annotationsNeedingTokens(RowId tokenizerId, RowId imageId) const {
    auto& s =
        db_->prepare(std::string(kAnnotationColumns) + " WHERE image_id = ?2 AND" + kLacksTokens + " ORDER BY id");
    s.bind(1, tokenizerId);
    s.bind(2, imageId);
    return readAnnotations(s, nullptr);
}

namespace {

// Runs a query over tokens' columns bound to one id.
std::vector<MaskTokens> readTokens(sql::Database& db, const std::string& where, RowId id) {
    auto& s =
        db.prepare("SELECT annotation_id, tokenizer_id, c0, c1, reconstruction_iou, created_at FROM tokens " + where);
    s.bind(1, id);
    std::vector<MaskTokens> out;
    while (s.step()) {
        MaskTokens t(s.int64(0), s.int64(1), {static_cast<int>(s.int64(2)), static_cast<int>(s.int64(3))}, std::nullopt,
                     s.int64(5));
        if (!s.isNull(4)) t.reconstructionIou = s.real(4);
        out.push_back(t);
    }
    s.reset();
    return out;
}

}  // namespace

std::vector<MaskTokens> ProjectStore::tokensFor(RowId annotationId) const {
    return readTokens(*db_, "WHERE annotation_id = ?1 ORDER BY tokenizer_id", annotationId);
}

std::vector<MaskTokens> ProjectStore::tokensOf(RowId tokenizerId) const {
    return readTokens(*db_, "WHERE tokenizer_id = ?1", tokenizerId);
}

std::string ProjectStore::integrityCheck() const {
    auto& s = db_->prepare("PRAGMA integrity_check");
    std::string out;
    while (s.step()) out += (out.empty() ? "" : "\n") + s.text(0);
    s.reset();
    return out;
}

}  // namespace samtok
