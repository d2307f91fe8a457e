#pragma once
// The table of bad inputs the project is tested against (tests/BadInputTest.cpp runs every row through the samtok
// command line and writes docs/bad-input.md from what it printed, so the document stays true).
#include "TestPaths.h"

#include <functional>
#include <string>
#include <vector>

namespace samtok::test {

struct BadInput {
    std::string input;   // what is wrong, as a user would say it
    std::string reader;  // the reader that meets it
    // Writes the input into the folder and returns the samtok arguments that read it.
    std::function<std::string(const TempDir&)> command;
    std::string expect;  // a part of the one-line message the user gets
};

std::vector<BadInput> badInputs();

}  // namespace samtok::test
