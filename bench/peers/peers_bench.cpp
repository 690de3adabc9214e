// faultline next to the tools people would use instead, in one run: the three kernel workloads
// (W1 timer churn, W2 ping-pong, W3 M/M/1) on faultline, on the reference callback loop, on
// SimGrid (simgrid_peer) and on SimPy (simpy_peer.py), with one table of rates, peak RSS and
// ratios. Every engine is measured in this run on this machine; only ratios are figures.
//
// The peers are 30-100x slower, so by default they do a tenth of the work (the same number of
// processes and pairs, fewer wake-ups each): a rate does not depend on the length of the run
// here, because the number of pending events (the heap size) is the same. Each peer times its
// own run (start-up and set-up excluded) and its peak RSS is its whole process's, interpreter
// or library included. A peer that is missing is skipped with a note, never an error.
//
// Usage: peers_bench [--quick] [--reps N] [--peer-reps N] [--peer-scale N]
//                    [--simgrid PATH] [--simpy PATH] [--python PATH]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "workloads/kernel_workloads.hpp"

#ifndef FAULTLINE_SIMGRID_PEER
#define FAULTLINE_SIMGRID_PEER ""
#endif
#ifndef FAULTLINE_SIMPY_PEER
#define FAULTLINE_SIMPY_PEER ""
#endif

namespace {

struct Settings {
    bool simgrid_ok = false;  // found at start-up; a missing peer is skipped with a note
    bool simpy_ok = false;
    std::uint64_t scale = 1;       // 10 with --quick
    int reps = 3;                  // faultline and the reference loop
    int peer_reps = 1;
    std::uint64_t peer_scale = 10;  // peers do 1/peer_scale of the work
    std::string simgrid = FAULTLINE_SIMGRID_PEER;
    std::string simpy = FAULTLINE_SIMPY_PEER;
    std::string python = "python3";
};

// Runs `argv` with stdout and stderr to a pipe; the peer prints "wall_seconds cpu_seconds units
// events" for its run alone, and its own notes (shown only if it fails). Peak RSS comes from wait4
// (the child's own).
bench::Measurement run_peer(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        _exit(127);
    }
    ::close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    rusage ru{};
    ::wait4(pid, &status, 0, &ru);
    bench::Measurement m{};
    unsigned long long units = 0, events = 0;
    for (std::size_t at = 0; at < out.size() && !m.ok;) {
        const std::size_t end = std::min(out.find('\n', at), out.size());
        const std::string line = out.substr(at, end - at);
        m.ok = std::sscanf(line.c_str(), "%lf %lf %llu %llu", &m.seconds, &m.cpu_seconds, &units, &events) == 4;
        at = end + 1;
    }
    m.ok = m.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!m.ok) {
        std::printf("note: %s %s failed:\n%s\n", argv[0].c_str(), argv.size() > 1 ? argv[1].c_str() : "", out.c_str());
        return m;
    }
    m.counts.work = units;
    m.counts.events = events;
    m.peak_rss_kb = ru.ru_maxrss;
    return m;
}

bench::Measurement best_peer(int reps, const std::vector<std::string>& argv) {
    bench::Measurement best{};
    for (int i = 0; i < reps; ++i) {
        bench::Measurement m = run_peer(argv);
        if (!m.ok) return m;
        if (!best.ok || m.cpu_seconds < best.cpu_seconds) best = m;
    }
    return best;
}

bool python_has_simpy(const std::string& python) {
    const std::string cmd = python + " -c 'import simpy' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

// Rates are on CPU time: the machines these run on are shared, and wall time counts the others.
double rate(const bench::Measurement& m) {
    return m.ok && m.cpu_seconds > 0 ? static_cast<double>(m.counts.work) / m.cpu_seconds : 0;
}

void print_engine(const char* engine, std::uint64_t units, const bench::Measurement& m, double fl_rate, bool skipped = false) {
    if (!m.ok) {
        std::printf("  %-16s %12s  (%s)\n", engine, "", skipped ? "skipped: not installed" : "failed: see its message above");
        return;
    }
    const double r = rate(m);
    std::printf("  %-16s %12llu %10.3f %12s %12s %14.2fx\n", engine, static_cast<unsigned long long>(units), m.cpu_seconds,
                bench::human_rate(r).c_str(), bench::human_kb(m.peak_rss_kb).c_str(), fl_rate / r);
}

struct Verdicts {
    bool all_met = true;
    void check(bool ok) { all_met = all_met && ok; }
};

void workload(const char* title, const char* name, std::uint64_t units, const Settings& s, Verdicts& v,
              bench::Counts (*fl)(std::uint64_t), bench::Counts (*ref)(std::uint64_t)) {
    const std::uint64_t peer_units = units / s.peer_scale;
    auto f = bench::best_of(s.reps, [&] { return fl(units); });
    auto r = bench::best_of(s.reps, [&] { return ref(units); });
    bench::Measurement g{}, p{};
    if (s.simgrid_ok) {
        g = best_peer(s.peer_reps, {s.simgrid, name, std::to_string(peer_units)});
    }
    if (s.simpy_ok) {
        p = best_peer(s.peer_reps, {s.python, s.simpy, name, std::to_string(peer_units)});
    }
    const double fr = rate(f);
    std::printf("%s\n", title);
    print_engine("faultline", units, f, fr);
    print_engine("callback loop", units, r, fr);
    print_engine("SimGrid 3.32", peer_units, g, fr, !s.simgrid_ok);
    print_engine("SimPy 3.0", peer_units, p, fr, !s.simpy_ok);
    const double vs_ref = rate(r) / fr;
    std::printf("  faultline vs callback loop %.2fx slower (target <= 2.0x: %s)", vs_ref, vs_ref <= 2.0 ? "met" : "MISSED");
    v.check(vs_ref <= 2.0);
    for (auto [peer, m] : {std::pair{"SimGrid", &g}, std::pair{"SimPy", &p}}) {
        if (!m->ok) continue;
        const double x = fr / rate(*m);
        std::printf("; vs %s %.0fx faster (target >= 10x: %s)", peer, x, x >= 10 ? "met" : "MISSED");
        v.check(x >= 10);
    }
    std::printf("\n");
    // What any engine on this machine could reach: the loop with nothing but the work itself.
    if (g.ok || p.ok) {
        std::printf("  ceiling: the callback loop itself is");
        if (g.ok) std::printf(" %.1fx SimGrid", rate(r) / rate(g));
        if (g.ok && p.ok) std::printf(",");
        if (p.ok) std::printf(" %.1fx SimPy", rate(r) / rate(p));
        std::printf("\n");
    }
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&] { return bench::option_value("peers_bench", argc, argv, i); };
        if (a == "--quick") {
            s.scale = 10;
            s.reps = 1;
        } else if (a == "--reps") s.reps = std::atoi(value().c_str());
        else if (a == "--peer-reps") s.peer_reps = std::atoi(value().c_str());
        else if (a == "--peer-scale") s.peer_scale = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--simgrid") s.simgrid = value();
        else if (a == "--simpy") s.simpy = value();
        else if (a == "--python") s.python = value();
        else {
            std::fprintf(stderr, "usage: peers_bench [--quick] [--reps N] [--peer-reps N] [--peer-scale N] "
                                 "[--simgrid PATH] [--simpy PATH] [--python PATH]\n");
            return 2;
        }
    }
    if (s.reps < 1 || s.peer_reps < 1 || s.peer_scale < 1) {
        std::fprintf(stderr, "peers_bench: --reps, --peer-reps and --peer-scale must be at least 1\n");
        return 2;
    }
    s.simgrid_ok = !s.simgrid.empty() && ::access(s.simgrid.c_str(), X_OK) == 0;
    s.simpy_ok = !s.simpy.empty() && python_has_simpy(s.python);
    if (!s.simgrid_ok) {
        std::printf("note: SimGrid skipped: no simgrid_peer program (apt-get install libsimgrid-dev, then reconfigure "
                    "and rebuild; or scripts/setup.sh peers)\n");
    }
    if (!s.simpy_ok) {
        std::printf("note: SimPy skipped: %s cannot import simpy (apt-get install python3-simpy3; or --python PATH)\n",
                    s.python.c_str());
    }
    std::printf("faultline vs its peers, same run (faultline and the loop: best of %d; peers: best of %d, 1/%llu of "
                "the work)\n\n",
                s.reps, s.peer_reps, static_cast<unsigned long long>(s.peer_scale));
    std::printf("  %-16s %12s %10s %12s %12s %15s\n", "engine", "units", "CPU s", "units/s", "peak RSS", "time/faultline");
    Verdicts v;
    workload("W1 timer churn (1,000 processes, exponential sleeps; unit: a wake-up)", "w1", 10'000'000 / s.scale, s, v,
             [](std::uint64_t n) { return bench::w1_faultline(n, 1000); },
             [](std::uint64_t n) { return bench::w1_reference(n, 1000); });
    workload("W2 ping-pong (1,000 pairs, 1ms latency; unit: a message)", "w2", 1'000'000 / s.scale, s, v,
             [](std::uint64_t n) { return bench::w2_faultline(n, 1000); },
             [](std::uint64_t n) { return bench::w2_reference(n, 1000); });
    workload("W3 M/M/1 (lambda 0.9, mu 1 per ms; unit: a customer)", "w3", 1'000'000 / s.scale, s, v,
             [](std::uint64_t n) { return bench::w3_faultline(n); }, [](std::uint64_t n) { return bench::w3_reference(n); });
    std::printf("all targets: %s\n", v.all_met ? "met" : "not all met (see MISSED above)");
    return 0;
}
