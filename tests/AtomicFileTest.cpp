// Writing a file whole or not at all (util/AtomicFile.h), as every export and
// shard does.
#include "TestPaths.h"
#include "util/AtomicFile.h"
#include "util/Error.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/resource.h>

using namespace samtok;
using samtok::test::TempDir;
namespace fs = std::filesystem;

// A full disk, as the kernel reports it to a process over its file-size limit
// (EFBIG where a full disk says ENOSPC): the write fails by the file's name and
// the file written before stays as it was, with no temporary left beside it.
TEST(AtomicFile, AFullDiskFailsByNameAndKeepsThePreviousFile) {
    TempDir dir;
    const std::string path = dir.file("train.jsonl");
    writeFileAtomic(path, "the saved dataset\n");

    rlimit before{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
    rlimit capped = before;
    capped.rlim_cur = 4096;
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);  // else the kernel stops the process
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &capped), 0);
    std::string error;
    try {
        writeFileAtomic(path, std::string(1 << 20, 'x'));
    } catch (const UserError& e) {
        error = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, previousHandler);

    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find("unchanged"), std::string::npos) << error;
    std::ifstream in(path);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "the saved dataset\n");
    EXPECT_FALSE(fs::exists(path + ".tmp"));
}
