// Tokenizing on a cluster: shards of a read-only project, each resumable, merged into the project with the same
// tokens a single `samtok tokenize` gives; every broken shard set named before anything is written.
#include "CliRun.h"
#include "TestPaths.h"
#include "TokenRows.h"
#include "pipeline/Shards.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace samtok;
using samtok::test::runCli;
using samtok::test::TempDir;
using samtok::test::tokenRows;
namespace fs = std::filesystem;

namespace {

// Two copies of the sample project: one tokenized by a single process, one to shard.
struct TwoSamples {
    TempDir dir;
    std::string single, sharded, shards;
    TwoSamples() {
        EXPECT_EQ(runCli("project sample " + dir.file("a")).code, 0);
        EXPECT_EQ(runCli("project sample " + dir.file("b")).code, 0);
        single = dir.file("a/sample.samtok");
        sharded = dir.file("b/sample.samtok");
        shards = dir.file("shards");
        const auto r = runCli("tokenize " + single + " --threads 1");
        EXPECT_EQ(r.code, 0) << r.out;
    }
    test::CliResult shard(int k, int n) const {
        return runCli("tokenize " + sharded + " --shard " + std::to_string(k) + "/" + std::to_string(n) + " --out " +
                      shards + " --threads 1");
    }
};

}  // namespace

TEST(Shards, TheShardSpecIsKOfNOrTakenFromSlurmOrKubernetes) {
    EXPECT_EQ(pipeline::parseShard("3/8").index, 3);
    EXPECT_EQ(pipeline::parseShard("3/8").count, 8);
    EXPECT_THROW(pipeline::parseShard("8/8"), UserError);
    EXPECT_THROW(pipeline::parseShard("3"), UserError);
    ::unsetenv("JOB_COMPLETION_INDEX");
    ::setenv("SLURM_ARRAY_TASK_ID", "5", 1);
    ::setenv("SLURM_ARRAY_TASK_MIN", "1", 1);  // --array=1-8
    EXPECT_EQ(pipeline::parseShard("auto/8").index, 4);
    ::unsetenv("SLURM_ARRAY_TASK_ID");
    ::unsetenv("SLURM_ARRAY_TASK_MIN");
    ::setenv("JOB_COMPLETION_INDEX", "7", 1);
    EXPECT_EQ(pipeline::parseShard("auto/8").index, 7);
    ::unsetenv("JOB_COMPLETION_INDEX");
    EXPECT_THROW(pipeline::parseShard("auto/8"), UserError);
    // The assignment is FNV-1a of the content checksum: the same on every machine and build (values worked out
    // with the same hash in Python).
    EXPECT_EQ(pipeline::shardOf(std::string(64, 'a'), 16), 3);
    EXPECT_EQ(pipeline::shardOf(std::string(64, 'a'), 7), 6);
}

TEST(Shards, TokensMergedFromFourShardsEqualASingleRunAndMergingAgainChangesNothing) {
    TwoSamples s;
    for (int k = 0; k < 4; ++k) {
        const auto r = s.shard(k, 4);
        ASSERT_EQ(r.code, 0) << r.out;
    }
    EXPECT_NE(s.shard(2, 4).out.find("finished already"), std::string::npos);
    auto m = runCli("tokens merge " + s.sharded + " " + s.shards);
    ASSERT_EQ(m.code, 0) << m.out;
    EXPECT_EQ(tokenRows(s.sharded), tokenRows(s.single));
    m = runCli("tokens merge " + s.sharded + " " + s.shards);
    ASSERT_EQ(m.code, 0) << m.out;
    EXPECT_EQ(tokenRows(s.sharded), tokenRows(s.single));
}

TEST(Shards, AMissingUnfinishedOrForeignShardIsNamedAndNothingIsWritten) {
    TwoSamples s;
    for (int k = 0; k < 3; ++k) ASSERT_EQ(s.shard(k, 3).code, 0);
    fs::path last;  // tokens-<tokenizer sha prefix>-shard-0002-of-0003.jsonl
    for (const auto& e : fs::directory_iterator(s.shards))
        if (e.path().filename().string().find("-shard-0002-of-0003.jsonl") != std::string::npos) last = e.path();
    ASSERT_FALSE(last.empty()) << "no file for shard 2 of 3 in " << s.shards;
    fs::rename(last, s.dir.file("kept.jsonl"));
    auto m = runCli("tokens merge " + s.sharded + " " + s.shards);
    EXPECT_EQ(m.code, 1);
    EXPECT_NE(m.out.find("shard(s) 2 of 3 missing"), std::string::npos) << m.out;

    // Its last line (the "done" line) cut off: a shard that did not finish.
    std::ifstream in(s.dir.file("kept.jsonl"));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.erase(text.rfind('\n', text.size() - 2) + 1);
    ASSERT_EQ(text.find("\"done\""), std::string::npos);
    std::ofstream(last) << text;
    m = runCli("tokens merge " + s.sharded + " " + s.shards);
    EXPECT_EQ(m.code, 1);
    EXPECT_NE(m.out.find("not finished"), std::string::npos) << m.out;
    EXPECT_TRUE(tokenRows(s.sharded).empty());

    // The shards of another project.
    fs::rename(s.dir.file("kept.jsonl"), last);
    auto other = runCli("project init " + s.dir.file("other.samtok"));
    ASSERT_EQ(other.code, 0);
    m = runCli("tokens merge " + s.dir.file("other.samtok") + " " + s.shards);
    EXPECT_EQ(m.code, 1);
    EXPECT_NE(m.out.find("is not in this project"), std::string::npos) << m.out;
}

TEST(Shards, AShardKilledAtFiftyRandomMomentsStillMergesToTheSingleRunsTokens) {
    TwoSamples s;
    std::mt19937 rng(30);
    int killed = 0;
    for (int attempt = 0; attempt < 50; ++attempt) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            const std::string cmd = std::string(SAMTOK_CLI) + " tokenize " + s.sharded + " --shard 0/1 --out " +
                                    s.shards + " --threads 1 >/dev/null 2>&1";
            ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::usleep(std::uniform_int_distribution<int>(50000, 1500000)(rng));
        killed += ::kill(pid, SIGKILL) == 0;
        ::waitpid(pid, nullptr, 0);
    }
    EXPECT_GT(killed, 0);
    const auto finish = s.shard(0, 1);
    ASSERT_EQ(finish.code, 0) << finish.out;
    const auto m = runCli("tokens merge " + s.sharded + " " + s.shards);
    ASSERT_EQ(m.code, 0) << m.out;
    EXPECT_EQ(tokenRows(s.sharded), tokenRows(s.single));
}

TEST(Shards, AProjectWithChangesStillInItsWalIsRefusedForReadingOnAClusterOnly) {
    TempDir dir;
    ProjectStore writer = ProjectStore::create(dir.file("p.samtok"), "p");
    writer.setMeta("note", "uncheckpointed");  // held in p.samtok-wal while `writer` is open
    try {
        ProjectStore::openReadOnly(dir.file("p.samtok"));
        ADD_FAILURE() << "opened";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("-wal"), std::string::npos) << e.what();
    }
}
