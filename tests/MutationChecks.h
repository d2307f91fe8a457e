#pragma once
// What every mutation test checks of a reader (MutationTest.cpp,
// MutationFilesTest.cpp): a value, or the reader's own error naming the file.
#include "TestPaths.h"

#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <typeinfo>

namespace samtok::test {

inline std::string readAll(const std::filesystem::path& path) {
    EXPECT_TRUE(std::filesystem::is_regular_file(path)) << path;
    return slurp(path);
}

inline void writeAll(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Runs `read`; the outcome must be a value or an `Error` whose message holds
// `name`. Returns whether it read.
template <class Error, class Read>
bool readOrRefused(const char* what, int round, const std::string& name, Read&& read) {
    try {
        read();
        return true;
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(name), std::string::npos)
            << what << ", round " << round << ": the error does not name '" << name << "': " << message;
    } catch (const std::exception& e) {
        ADD_FAILURE() << what << ", round " << round << ": " << typeid(e).name() << " escaped: " << e.what();
    }
    return false;
}

}  // namespace samtok::test
