// Every row of the bad-input table (BadInputRows.h) gets one clear line and exit status 1 from samtok, never a
// crash; docs/bad-input.md is written from the same runs (SAMTOK_WRITE_BAD_INPUT_DOC=1), and a test says when it
// no longer matches them.
#include "BadInputRows.h"
#include "CliRun.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using samtok::test::BadInput;
using samtok::test::TempDir;

namespace {

// The line that names the problem: a problem the validator found ("FILE:LINE: ..."), else the first line samtok
// printed as "samtok: ..." (an error, or a record it skipped); the temporary folder written as DIR.
std::string messageOf(const std::string& out, const std::string& dir) {
    std::string line, problem, said;
    std::istringstream in(out);
    while (std::getline(in, line)) {
        if (problem.empty() && line.rfind(dir, 0) == 0) problem = line;
        if (said.empty() && line.rfind("samtok:", 0) == 0) said = line;
    }
    std::string last = problem.empty() ? said : problem;
    for (std::size_t at; (at = last.find(dir)) != std::string::npos;) last.replace(at, dir.size(), "DIR");
    return last;
}

struct Row {
    const BadInput* input;
    int code = 0;
    std::string message, out;
};

std::vector<Row> runAll(const std::vector<BadInput>& inputs) {
    std::vector<Row> rows;
    for (const BadInput& b : inputs) {
        TempDir dir;
        const auto r = samtok::test::runCli(b.command(dir));
        rows.push_back({&b, r.code, messageOf(r.out, dir.path().string()), r.out});
    }
    return rows;
}

std::string escaped(std::string s) {
    for (std::size_t at = 0; (at = s.find('|', at)) != std::string::npos; at += 2) s.replace(at, 1, "\\|");
    return s;
}

std::string document(const std::vector<Row>& rows) {
    std::string md =
        "# Bad input\n\n"
        "The inputs SAMTok Studio's readers are tested against, and what a user is told. Each row is a test: "
        "`BadInput.EveryRowGetsOneClearLineAndExitStatusOne` (tests/BadInputTest.cpp) writes the input, runs the "
        "`samtok` command that reads it, and checks the exit status (1: a mistake the user can fix) and the message; "
        "this file is written from those runs (`SAMTOK_WRITE_BAD_INPUT_DOC=1 build/tests/samtok_core_tests "
        "--gtest_filter='BadInput.*'`), and `BadInput.TheDocumentMatchesTheRuns` fails when it no longer matches. "
        "DIR is the test's temporary folder. The studio shows the same messages (it reads through the same core). "
        "Coverage-guided fuzzing of the same readers is in tests/fuzz.\n\n"
        "| # | input | reader | message (exit status 1) |\n|---|---|---|---|\n";
    int n = 0;
    for (const Row& r : rows)
        md += "| " + std::to_string(++n) + " | " + escaped(r.input->input) + " | " + r.input->reader + " | `" +
              escaped(r.message) + "` |\n";
    return md;
}

const std::string kDoc = std::string(SAMTOK_SOURCE_DIR) + "/docs/bad-input.md";

// The runs, once per test process: both tests read them.
const std::vector<Row>& theRuns() {
    static const std::vector<BadInput> inputs = samtok::test::badInputs();
    static const std::vector<Row> rows = runAll(inputs);
    return rows;
}

}  // namespace

TEST(BadInput, EveryRowGetsOneClearLineAndExitStatusOne) {
    const auto& rows = theRuns();
    EXPECT_GE(rows.size(), 40u);
    for (const Row& r : rows) {
        EXPECT_EQ(r.code, 1) << r.input->input << ":\n" << r.out;
        EXPECT_NE(r.message.find(r.input->expect), std::string::npos) << r.input->input << ":\n" << r.out;
    }
    if (const char* w = std::getenv("SAMTOK_WRITE_BAD_INPUT_DOC"); w && std::string(w) == "1")
        std::ofstream(kDoc) << document(rows);
}

TEST(BadInput, TheDocumentMatchesTheRuns) {
    std::ifstream in(kDoc);
    ASSERT_TRUE(in) << kDoc << " is missing";
    const std::string doc((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(doc, document(theRuns()))
        << "docs/bad-input.md is out of date: SAMTOK_WRITE_BAD_INPUT_DOC=1 build/tests/samtok_core_tests "
           "--gtest_filter='BadInput.*'";
}
