// Kills a writer with SIGKILL at random moments; every id it reported as
// committed must survive, and the file must stay healthy.
#include "TestPaths.h"
#include "store/ProjectStore.h"
#include "store/Sqlite.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <random>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace samtok;

namespace {

struct ChildRun {
    std::vector<RowId> reported;
};

ChildRun runAndKill(const std::string& project, RowId image, int millis) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        const std::string id = std::to_string(image);
        ::execl(SAMTOK_CRASH_CHILD, SAMTOK_CRASH_CHILD, project.c_str(), id.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(millis));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status)) << "the writer exited by itself (status " << status << ")";
    std::string out;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    ChildRun run;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line))
        if (!line.empty() && !lines.eof())
            run.reported.push_back(std::stoll(line));  // a cut-off last line is not a report
    return run;
}

}  // namespace

TEST(Crash, EveryReportedCommitSurvivesSigkill) {
    test::TempDir dir;
    const std::string project = dir.file("crash.samtok");
    RowId image = 0;
    {
        ProjectStore s = ProjectStore::create(project, "crash");
        image = s.addImage({"/data/x.png", 64, 48, std::string(64, 'e')});
    }
    std::mt19937 rng(2024);
    std::set<RowId> allReported;
    const int kills = 25;
    // On a loaded machine a child may be killed before it commits: go on, up to a bound, until enough was reported.
    for (int i = 0; i < kills || (allReported.size() <= static_cast<std::size_t>(kills) && i < 8 * kills); ++i) {
        // The extra rounds give a slow writer longer to commit.
        const ChildRun run = runAndKill(project, image, 30 + static_cast<int>(rng() % 170) + (i < kills ? 0 : 300));
        allReported.insert(run.reported.begin(), run.reported.end());
        ProjectStore s = ProjectStore::open(project);
        ASSERT_EQ(s.integrityCheck(), "ok") << "after kill " << i;
        for (RowId id : run.reported) {
            const auto a = s.annotation(id);
            ASSERT_TRUE(a.has_value()) << "annotation " << id << " was reported committed but is gone (kill " << i
                                       << ")";
            ASSERT_EQ(s.referringExpressions(id).size(), 1u) << "half a transaction survived for " << id;
        }
    }
    EXPECT_GT(allReported.size(), static_cast<std::size_t>(kills)) << "the writer barely ran; the test proved little";
    ProjectStore s = ProjectStore::open(project);
    // No half-written action: every annotation has its referring expression.
    EXPECT_EQ(s.database().queryInt("SELECT count(*) FROM annotations a WHERE NOT EXISTS "
                                    "(SELECT 1 FROM referring_expressions r WHERE r.annotation_id = a.id)"),
              0);
}
