#include "store/Sqlite.h"

#include "util/Error.h"

#include <sqlite3.h>

#include <algorithm>

namespace samtok::sql {

void throwError(sqlite3* db, int rc, std::string_view context) {
    std::string msg(context);
    msg += ": ";
    const int primary = rc & 0xff;
    if (primary == SQLITE_FULL)
        msg += "the disk is full; nothing of this action was saved";
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw LockedError(msg + "another program held the project for longer than we wait; try again");
    else if (primary == SQLITE_READONLY)
        msg += "the project file is read-only";
    else if (primary == SQLITE_IOERR)
        msg += std::string("I/O error (") + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + ")";
    else
        msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw StoreError(msg);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    const int rc =
        sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) throwError(db, rc, "preparing SQL");
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, std::int64_t v) {
    if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) throwError(db_, rc, "binding");
    return *this;
}
Statement& Statement::bind(int i, double v) {
    if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) throwError(db_, rc, "binding");
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    if (int rc = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); rc != SQLITE_OK)
        throwError(db_, rc, "binding");
    return *this;
}
Statement& Statement::bindNull(int i) {
    if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) throwError(db_, rc, "binding");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    throwError(db_, rc, "writing to the project");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::isNull(int c) const {
    return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}
std::int64_t Statement::int64(int c) const {
    return sqlite3_column_int64(stmt_, c);
}
double Statement::real(int c) const {
    return sqlite3_column_double(stmt_, c);
}
std::string Statement::text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}

Database::Database(const std::string& path, int flags) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw StoreError("'" + path + "': cannot open: " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
    cache_.clear();
    if (db_) sqlite3_close_v2(db_);
}

Database::Database(Database&& o) noexcept : db_(o.db_), cache_(std::move(o.cache_)), depth_(o.depth_) {
    o.db_ = nullptr;
}

Database& Database::operator=(Database&& o) noexcept {
    if (this != &o) {
        cache_.clear();
        if (db_) sqlite3_close_v2(db_);
        db_ = o.db_;
        cache_ = std::move(o.cache_);
        depth_ = o.depth_;
        o.db_ = nullptr;
    }
    return *this;
}

void Database::exec(std::string_view sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        throwError(db_, rc, "running SQL");
    }
}

Statement& Database::prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
    it->second->reset();
    return *it->second;
}

std::int64_t Database::lastInsertId() const {
    return sqlite3_last_insert_rowid(db_);
}
int Database::changes() const {
    return sqlite3_changes(db_);
}

std::optional<std::string> Database::queryText(const std::string& sql) {
    Statement& s = prepare(sql);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

std::int64_t Database::queryInt(const std::string& sql) {
    Statement& s = prepare(sql);
    std::int64_t out = 0;
    if (s.step()) out = s.int64(0);
    s.reset();
    return out;
}

Database::FileStart Database::fileStart(int bytes) const {
    sqlite3_file* file = nullptr;
    int rc = sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file);
    if (rc != SQLITE_OK || !file || !file->pMethods)
        throwError(db_, rc == SQLITE_OK ? SQLITE_CANTOPEN : rc, "reading the file header");
    FileStart out;
    sqlite3_int64 size = 0;
    if ((rc = file->pMethods->xFileSize(file, &size)) != SQLITE_OK) throwError(db_, rc, "reading the file size");
    out.size = size;
    const int n = static_cast<int>(std::min<sqlite3_int64>(size, bytes));
    out.bytes.assign(static_cast<std::size_t>(n), '\0');
    if (n > 0 && (rc = file->pMethods->xRead(file, out.bytes.data(), n, 0)) != SQLITE_OK)
        throwError(db_, rc, "reading the file header");
    return out;
}

std::int64_t Database::dataVersion() {
    return queryInt("PRAGMA data_version");
}

void Database::begin() {
    exec(depth_ == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT sp" + std::to_string(depth_));
    ++depth_;
}

void Database::commit() {
    --depth_;
    try {
        exec(depth_ == 0 ? "COMMIT" : "RELEASE sp" + std::to_string(depth_));
    } catch (...) {
        ++depth_;
        throw;
    }
}

void Database::rollback() {
    --depth_;
    if (depth_ == 0) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
        const std::string sp = "sp" + std::to_string(depth_);
        sqlite3_exec(db_, ("ROLLBACK TO " + sp + "; RELEASE " + sp).c_str(), nullptr, nullptr, nullptr);
    }
}

Transaction::~Transaction() {
    if (!done_) db_.rollback();
}

void Transaction::commit() {
    db_.commit();
    done_ = true;
}

}  // namespace samtok::sql
