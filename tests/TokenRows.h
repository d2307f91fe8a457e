#pragma once
// (annotation, c0, c1, IoU) of every token row of a project, in order: what two runs must agree on.
#include <sqlite3.h>

#include <string>
#include <vector>

namespace samtok::test {

inline std::vector<std::string> tokenRows(const std::string& project) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(project.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT annotation_id, c0, c1, printf('%.9f', reconstruction_iou) FROM tokens ORDER BY 1",
                       -1, &st, nullptr);
    std::vector<std::string> rows;
    while (sqlite3_step(st) == SQLITE_ROW)
        rows.push_back(std::to_string(sqlite3_column_int64(st, 0)) + " " + std::to_string(sqlite3_column_int(st, 1)) +
                       " " + std::to_string(sqlite3_column_int(st, 2)) + " " +
                       reinterpret_cast<const char*>(sqlite3_column_text(st, 3)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

}  // namespace samtok::test
