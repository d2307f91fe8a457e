#pragma once
// A full disk as SQLite meets it, for tests of what a failed write keeps.
#include "store/Sqlite.h"

#include <cstdint>
#include <string>

namespace samtok::test {

// While it lives, the database cannot grow past its present size: SQLite's
// max_page_count fails the next write that needs a page with SQLITE_FULL, as a
// full disk does. The previous cap comes back when it goes.
class FullDisk {
public:
    explicit FullDisk(sql::Database& db) : db_(db), previousCap_(db.queryInt("PRAGMA max_page_count")) {
        db_.exec("PRAGMA max_page_count = " + std::to_string(db_.queryInt("PRAGMA page_count")));
    }
    ~FullDisk() {
        try {
            db_.exec("PRAGMA max_page_count = " + std::to_string(previousCap_));
        } catch (...) {  // a destructor must not throw; the test's next write would say so
        }
    }
    FullDisk(const FullDisk&) = delete;
    FullDisk& operator=(const FullDisk&) = delete;

private:
    sql::Database& db_;
    std::int64_t previousCap_;
};

}  // namespace samtok::test
