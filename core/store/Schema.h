#pragma once
#include <string>
#include <vector>

namespace samtok::schema {

// 'SAMT': marks an SQLite file as a SAMTok Studio project (PRAGMA application_id).
constexpr int kApplicationId = 0x53414D54;

// Migration i (1-based) brings a project from user_version i-1 to i.
// Append new migrations; never edit a released one.
const std::vector<std::string>& migrations();
inline int currentVersion() {
    return static_cast<int>(migrations().size());
}

}  // namespace samtok::schema
