// Start a program without waiting for it, as a test that signals it needs (Ctrl-C, a job
// runner's SIGTERM), and wait for its exit. Shared by the exploration and report tests.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

namespace test_support {

// Starts argv[0] with argv; returns its pid. Its output (stdout and stderr) goes to `output`
// (/dev/null by default); with `own_group` it leads a process group of its own, which a test can
// signal as a terminal's Ctrl-C does (kill(-pid, SIGINT): the program and its workers alike).
inline pid_t spawn_program(std::vector<std::string> argv, const std::string& output = "/dev/null", bool own_group = false) {
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (own_group) ::setpgid(0, 0);
        const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(out, 1);
        ::dup2(out, 2);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    if (own_group) ::setpgid(pid, pid);  // also here: the test may signal before the child ran
    return pid;
}

// Its exit code, or minus the signal that ended it.
inline int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// The same without blocking: none while it still runs.
inline std::optional<int> try_wait_exit(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace test_support
