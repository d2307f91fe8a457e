#pragma once
// Errors the user can act on carry a one-line message that names the problem
// (the file, the record, the value). Callers map them to exit codes and dialogs.
#include <stdexcept>
#include <string>

namespace samtok {

// Something wrong with what the user gave us: a path, a file's contents, an argument.
class UserError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file exists but its contents are unusable (corrupt, truncated, wrong format).
class FormatError : public UserError {
public:
    using UserError::UserError;
};

// A storage-layer failure (SQLite error, full disk, lock contention).
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Another program held the project longer than we wait (SQLITE_BUSY / SQLITE_LOCKED).
class LockedError : public StoreError {
public:
    using StoreError::StoreError;
};

}  // namespace samtok
