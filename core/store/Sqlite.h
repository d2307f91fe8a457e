#pragma once
// A thin RAII layer over the SQLite C API. Every failure becomes a StoreError
// that carries SQLite's message and, where it helps, what we were doing.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace samtok::sql {

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t v);
    Statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
    Statement& bind(int index, double v);
    Statement& bind(int index, std::string_view v);
    Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
    Statement& bindNull(int index);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& v) {
        return v ? bind(index, *v) : bindNull(index);
    }

    bool step();  // true while a row is available
    void run();   // step to completion, reset
    void reset();

    bool isNull(int col) const;
    std::int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Database {
public:
    // flags: SQLITE_OPEN_* values. Throws StoreError on failure.
    Database(const std::string& path, int flags);
    ~Database();
    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;

    sqlite3* handle() const { return db_; }
    void exec(std::string_view sql);
    // Cached prepared statement, reset and unbound, ready to bind.
    Statement& prepare(const std::string& sql);
    std::int64_t lastInsertId() const;
    int changes() const;
    // First column of the first row, or nullopt.
    std::optional<std::string> queryText(const std::string& sql);
    std::int64_t queryInt(const std::string& sql);
    // The main file's size and first `bytes` bytes, read through SQLite's own
    // file handle. Never open a database file a second time while a connection
    // to it is open in this process: closing that second descriptor drops every
    // POSIX lock the process holds on the file, SQLite's included, and another
    // process may then delete the WAL under this one.
    struct FileStart {
        std::int64_t size = 0;
        std::string bytes;  // min(size, requested) bytes
    };
    FileStart fileStart(int bytes) const;
    // PRAGMA data_version: changes when another connection commits to the file.
    std::int64_t dataVersion();

    int transactionDepth() const { return depth_; }
    void begin();
    void commit();
    void rollback();

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
    int depth_ = 0;
};

// Commits on commit(), rolls back if destroyed without it. Nested scopes are
// savepoints, so a failed inner step undoes only itself.
class Transaction {
public:
    explicit Transaction(Database& db) : db_(db) { db_.begin(); }
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

[[noreturn]] void throwError(sqlite3* db, int rc, std::string_view context);

}  // namespace samtok::sql
