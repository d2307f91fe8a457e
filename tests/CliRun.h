#pragma once
// Runs the `samtok` command line as a user would, capturing what it prints.
#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace samtok::test {

struct CliResult {
    int code = -1;
    std::string out;  // stdout and stderr together
};

// Any shell command line, its stdout and stderr together.
inline CliResult runShell(const std::string& command) {
    const std::string cmd = command + " 2>&1";
    CliResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// env: "NAME=value ..." or "-C folder" (env's own options), prepended as `env ENV samtok ARGS`.
inline CliResult runCli(const std::string& args, const std::string& env = {}) {
    return runShell((env.empty() ? "" : "env " + env + " ") + std::string(SAMTOK_CLI) + " " + args);
}

}  // namespace samtok::test
