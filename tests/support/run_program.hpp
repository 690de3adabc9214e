// Run a program through the shell as a user would and keep what it printed (stdout and stderr
// together) and its exit code. Shared by the CLI and exploration tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace test_support {

struct Result {
    int exit_code;    // -1 when the program did not exit normally (killed by a signal)
    std::string out;  // stdout and stderr together
};

inline Result run_program(const std::string& command_line) {
    const std::string cmd = command_line + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return {-1, "popen failed: " + cmd};
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace test_support
