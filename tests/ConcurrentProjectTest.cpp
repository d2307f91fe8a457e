// Several processes on one project: the studio (a connection held open for the
// session, and the project opened again in the same process by its worker) and
// `samtok` commands from a terminal. Closing a second descriptor of a database
// file drops every POSIX lock the process holds on it; another process then
// believes it is the last connection and deletes the WAL under the studio.
#include "CliRun.h"
#include "TestPaths.h"
#include "store/AddImages.h"
#include "store/ProjectStore.h"
#include "store/Sqlite.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace samtok;

namespace {

// A store_crash_child in --studio or --studio-loop mode, with pipes to its stdin and stdout.
class StudioLikeWriter {
public:
    StudioLikeWriter(const std::string& mode, const std::string& project, RowId image) {
        int in[2], out[2];
        EXPECT_EQ(::pipe(in), 0);
        EXPECT_EQ(::pipe(out), 0);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], STDIN_FILENO);
            ::dup2(out[1], STDOUT_FILENO);
            for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
            const std::string id = std::to_string(image);
            ::execl(SAMTOK_CRASH_CHILD, SAMTOK_CRASH_CHILD, mode.c_str(), project.c_str(), id.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        toChild_ = in[1];
        fromChild_ = out[0];
    }
    ~StudioLikeWriter() {
        if (pid_ > 0) kill();
        ::close(toChild_);
        ::close(fromChild_);
    }
    pid_t pid() const { return pid_; }

    // Commits one region and waits until the worker-like second open is done too.
    // Returns the committed id, or the child's error line.
    std::string commit() {
        EXPECT_EQ(::write(toChild_, "commit\n", 7), 7);
        const std::string id = readLine();
        if (id.rfind("error", 0) == 0) return id;
        const std::string done = readLine();
        return done == "job-done" ? id : "unexpected: " + done;
    }
    // Every complete line the child printed (for --studio-loop after kill()).
    std::string drain() {
        std::string all = buffer_;
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::read(fromChild_, buf, sizeof buf)) > 0) all.append(buf, static_cast<std::size_t>(n));
        buffer_.clear();
        return all;
    }
    void kill() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    std::string readLine() {
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            char buf[256];
            const ssize_t n = ::read(fromChild_, buf, sizeof buf);
            if (n <= 0) return "error: the writer ended";
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }
    pid_t pid_ = -1;
    int toChild_ = -1, fromChild_ = -1;
    std::string buffer_;
};

// POSIX locks that process `pid` holds on `path`, as /proc/locks lists them.
int locksHeldBy(pid_t pid, const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    std::ifstream locks("/proc/locks");
    int n = 0;
    for (std::string line; std::getline(locks, line);) {
        std::istringstream f(line);
        std::string index, kind, mode, type, owner, dev;
        f >> index >> kind;
        if (kind == "->") f >> kind;  // a blocked request
        f >> mode >> type >> owner >> dev;
        const auto colon = dev.rfind(':');
        if (kind != "POSIX" || colon == std::string::npos) continue;
        if (std::stol(owner) == pid && std::stoull(dev.substr(colon + 1)) == st.st_ino) ++n;
    }
    return n;
}

struct Project {
    test::TempDir dir;
    std::string path = dir.file("shared.samtok");
    RowId image = 0;
    Project() {
        const std::string photo = dir.file("photo.png");
        cv::Mat bgr(48, 64, CV_8UC3);
        cv::randu(bgr, 0, 255);
        cv::imwrite(photo, bgr);
        ProjectStore s = ProjectStore::create(path, "shared");
        image = s.addImage({photo, 64, 48, std::string(64, 'c')});
    }
};

}  // namespace

TEST(ConcurrentProject, RegionsCommittedBesideACliReadSurviveAKill) {
    Project p;
    StudioLikeWriter studio("--studio", p.path, p.image);
    const std::string first = studio.commit();
    ASSERT_EQ(first.find_first_not_of("0123456789"), std::string::npos) << first;
    ASSERT_EQ(test::runCli("project info " + p.path).code, 0);
    const std::string second = studio.commit();
    ASSERT_EQ(second.find_first_not_of("0123456789"), std::string::npos)
        << "the studio's second region failed after a read from the terminal: " << second;
    studio.kill();

    ProjectStore s = ProjectStore::open(p.path);
    EXPECT_EQ(s.integrityCheck(), "ok");
    EXPECT_TRUE(s.annotation(std::stoll(first)).has_value()) << "the first region is gone";
    EXPECT_TRUE(s.annotation(std::stoll(second)).has_value()) << "the second region, shown as done, is gone";
}

TEST(ConcurrentProject, OpeningTheProjectAgainKeepsTheFirstConnectionsLocks) {
    Project p;
    StudioLikeWriter studio("--studio", p.path, p.image);
    ASSERT_EQ(studio.commit().find_first_not_of("0123456789"), std::string::npos);
    // After the commit the project was opened a second time in the child and closed again.
    EXPECT_GT(locksHeldBy(studio.pid(), p.path), 0)
        << "the open connection's lock on the project file was dropped by the second open";
    EXPECT_GT(locksHeldBy(studio.pid(), p.path + "-shm"), 0) << "the connection holds no lock on the WAL index";
}

TEST(ConcurrentProject, OpeningWaitsForAProgramThatHoldsTheProjectForAMoment) {
    Project p;
    std::promise<void> held;
    // Another program takes the whole file (exclusive locking mode) and lets go after a second.
    std::thread other([&] {
        sql::Database db(p.path, SQLITE_OPEN_READWRITE);
        db.exec("PRAGMA locking_mode = EXCLUSIVE");
        db.exec("BEGIN IMMEDIATE");
        db.exec("INSERT OR REPLACE INTO project_meta (key, value) VALUES ('held', 'yes')");
        db.exec("COMMIT");
        held.set_value();
        std::this_thread::sleep_for(std::chrono::milliseconds(1200));
        db.exec("PRAGMA locking_mode = NORMAL");
        db.exec("SELECT count(*) FROM images");
    });
    held.get_future().wait();
    const auto start = std::chrono::steady_clock::now();
    std::string error;
    try {
        ProjectStore s = ProjectStore::open(p.path);
        EXPECT_EQ(s.meta("held").value_or(""), "yes");
    } catch (const std::exception& e) {
        error = e.what();
    }
    other.join();
    EXPECT_EQ(error, "") << "the open gave up instead of waiting for the lock";
    EXPECT_GT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800))
        << "the other program's lock was not held; the test proves nothing";
}

namespace {
// What the terminal below has written so far: its failed commands of all it ran.
struct TerminalCount {
    int failures = -1, runs = 0;
};
TerminalCount terminalCount(const Project& p) {
    TerminalCount c;
    std::ifstream(p.dir.file("failures")) >> c.failures >> c.runs;
    return c;
}
}  // namespace

TEST(ConcurrentProject, AWriterAndCliReadsAndTokenizeInALoopLoseNothing) {
    Project p;
    const char* env = std::getenv("SAMTOK_STRESS_SECONDS");
    const int seconds = env && std::atoi(env) > 0 ? std::atoi(env) : 30;
    StudioLikeWriter studio("--studio-loop", p.path, p.image);

    // The terminal: read commands and tokenize, in a loop, in a process group of its own, so that the kill below
    // also ends the command it is running.
    const pid_t terminal = ::fork();
    ASSERT_GE(terminal, 0) << "fork failed";
    if (terminal == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // an interrupted test takes its terminal with it
        int failures = 0;
        for (int i = 0;; ++i) {
            const std::string args = i % 3 == 2   ? "tokenize " + p.path
                                     : i % 3 == 0 ? "project info " + p.path
                                                  : "project info --json " + p.path;
            const test::CliResult r = test::runCli(args);
            if (r.code != 0) {
                ++failures;
                std::ofstream(p.dir.file("failure.txt"), std::ios::app)
                    << "samtok " << args << " (exit " << r.code << "): " << r.out << "\n";
            }
            // The count so far, replaced whole: the kill may come at any moment.
            std::ofstream(p.dir.file("failures.tmp")) << failures << " " << i + 1 << "\n";
            std::rename(p.dir.file("failures.tmp").c_str(), p.dir.file("failures").c_str());
        }
    }
    ::setpgid(terminal, terminal);  // as the child does, whichever of the two runs first
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    // On a loaded machine the terminal may not have finished a tokenize yet: give it time, up to a bound, so that
    // the checks below are about lost writes and not about the machine's speed.
    for (int waited = 0; waited < 270 && terminalCount(p).runs < 4; ++waited)
        std::this_thread::sleep_for(std::chrono::seconds(1));
    if (::kill(-terminal, SIGKILL) != 0) ::kill(terminal, SIGKILL);  // no group: the terminal alone
    ::waitpid(terminal, nullptr, 0);
    studio.kill();

    std::set<RowId> reported;
    std::istringstream lines(studio.drain());
    std::string line;
    while (std::getline(lines, line)) {
        if (lines.eof()) break;  // a cut-off last line is not a report
        ASSERT_NE(line.rfind("error", 0), 0u) << "the studio-like writer failed: " << line;
        if (line != "job-done") reported.insert(std::stoll(line));
    }
    const auto [failures, runs] = terminalCount(p);
    std::ostringstream failed;
    failed << std::ifstream(p.dir.file("failure.txt")).rdbuf();
    EXPECT_EQ(failures, 0) << "of " << runs << " commands run beside the writer: " << failed.str();
    EXPECT_GT(runs, 3) << "the terminal barely ran";
    EXPECT_GT(reported.size(), 10u) << "the writer barely ran";

    ProjectStore s = ProjectStore::open(p.path);
    ASSERT_EQ(s.integrityCheck(), "ok");
    for (RowId id : reported)
        ASSERT_TRUE(s.annotation(id).has_value()) << "annotation " << id << " was reported committed";
    EXPECT_GT(s.database().queryInt("SELECT count(*) FROM tokens"), 0) << "tokenize never wrote beside the writer";
}

TEST(ConcurrentProject, TheProjectsOwnFilesAreNeverReadAsImages) {
    Project p;
    ProjectStore s = ProjectStore::open(p.path);
    s.setMeta("touch", "1");  // the WAL and its index exist now
    const AddImagesReport r = addImages(s, {p.path, p.path + "-wal", p.path + "-shm"});
    EXPECT_TRUE(r.added.empty());
    ASSERT_EQ(r.failed.size(), 3u);
    for (const auto& [file, why] : r.failed) EXPECT_NE(why.find("this project's own file"), std::string::npos) << why;
    EXPECT_EQ(s.integrityCheck(), "ok");
}
