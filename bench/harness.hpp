// Benchmark plumbing: each measurement runs in a forked child so that its peak RSS is its own,
// and reports wall time, peak RSS and what it counted. Benchmarks print ratios against a
// reference measured in the same run (never absolute pass/fail on a shared, noisy machine).
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace bench {

struct Counts {
    std::uint64_t work = 0;    // logical units (wake-ups, messages, customers, requests)
    std::uint64_t events = 0;  // events the engine dispatched
    double extra = 0;          // a workload-specific figure (e.g. simulated seconds)
    double core_cpu_seconds = 0;  // CPU time of the body's core alone (a run without its set-up), if it says
};

struct Measurement {
    double seconds = 0;      // wall time
    double cpu_seconds = 0;  // user + system time of the body: on a shared machine the fairer clock
    long peak_rss_kb = 0;
    Counts counts;
    bool ok = false;
};

inline double cpu_seconds_now() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

// Runs `body` in a child process; `body` returns what it counted. Wall time covers the body only.
inline Measurement measure(const std::function<Counts()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    std::fflush(nullptr);  // or the child would print what the parent had buffered again
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const double cpu_start = cpu_seconds_now();
        auto start = std::chrono::steady_clock::now();  // bench code, not simulation code
        Counts c = body();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = cpu_seconds_now() - cpu_start;
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        Measurement m{secs, cpu, ru.ru_maxrss, c, true};
        if (::write(fds[1], &m, sizeof m) != static_cast<ssize_t>(sizeof m)) _exit(2);
        _exit(0);
    }
    ::close(fds[1]);
    Measurement m{};
    if (::read(fds[0], &m, sizeof m) != static_cast<ssize_t>(sizeof m)) m.ok = false;
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) m.ok = false;
    return m;
}

// Best (least CPU time) of n measurements: the least disturbed by other load on the machine.
inline Measurement best_of(int n, const std::function<Counts()>& body) {
    Measurement best{};
    for (int i = 0; i < n; ++i) {
        Measurement m = measure(body);
        if (!m.ok) return m;
        if (!best.ok || m.cpu_seconds < best.cpu_seconds) best = m;
    }
    return best;
}

// The value of the option at argv[i] (moving i past it); a missing one ends the program with
// "<program>: <option> needs a value" and exit code 2.
inline std::string option_value(const char* program, int argc, char** argv, int& i) {
    if (i + 1 >= argc) {
        std::fprintf(stderr, "%s: %s needs a value\n", program, argv[i]);
        std::exit(2);
    }
    return argv[++i];
}

inline std::string human_rate(double per_second) {
    char buf[32];
    if (per_second >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM/s", per_second / 1e6);
    else if (per_second >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk/s", per_second / 1e3);
    else std::snprintf(buf, sizeof buf, "%.1f/s", per_second);
    return buf;
}

inline std::string human_kb(long kb) {
    char buf[32];
    if (kb >= 1024 * 1024) std::snprintf(buf, sizeof buf, "%.2f GiB", kb / 1048576.0);
    else std::snprintf(buf, sizeof buf, "%.1f MiB", kb / 1024.0);
    return buf;
}

}  // namespace bench
