// faultline at scale: how much a run costs when the world is large.
//   idle N          N parked processes (idle clients): resident memory per process.
//   hosts N         N hosts, each running one process that pings the next host over the network
//                   every 10ms for 10 simulated seconds: a world this wide in one run.
//   stampede        the cache-flush-stampede scenario file with many client hosts (each an
//                   open-loop workload; together they offer --rate): simulated seconds per CPU
//                   second, events per second and peak RSS. --hash off, --metrics off and --trace
//                   FILE turn the determinism hash, model metrics and a trace file (JSON Lines, or
//                   binary for FILE.ftrace) off or on.
//   observability   the stampede at 10k clients and 50,000/s with the hash, metrics and a trace
//                   file each on and off, taking turns: what each costs.
//   all             (the default) every table docs/performance.md records: idle 1M, hosts 10k,
//                   the stampede at 10k clients and 50,000 requests/s, cost against clients and
//                   against load, and observability.
// Every run is a forked child, so its peak RSS is its own. Speeds are on the run's CPU time (one
// core; the machines are shared, and wall time counts the others' work too), wall time shown
// beside it: repeat them (--reps) and read the ratios, not the last digit.
//
// Usage: scale_bench [all|idle N|hosts N|stampede|observability] [--clients N] [--rate R/s]
//                    [--duration D] [--seed S] [--hash on|off] [--metrics on|off] [--trace FILE]
//                    [--reps N] [--scenario PATH]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faultline/scenario_file.hpp"
#include "harness.hpp"
#include "sim/network.hpp"
#include "sim/sim.hpp"
#include "sim/trace_file.hpp"
#include "workloads/kernel_workloads.hpp"

namespace {

using namespace std::chrono_literals;

struct StampedeRun {
    std::uint64_t clients = 10'000;
    double rate = 50'000;  // requests per second offered, all clients together
    std::string duration = "100s";
    std::uint64_t seed = 1;
    bool hash = true;
    bool metrics = true;
    std::string trace;  // a JSON Lines trace file; empty: none
};

std::string scenario_path = FAULTLINE_STAMPEDE_SCENARIO;

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// One stampede run in this process: the file loaded (and checked by a dry build), the world built,
// run, and torn down. extra: simulated seconds; core_cpu_seconds: sim.run() alone; the trace hash
// goes in work.
bench::Counts stampede_run(const StampedeRun& r) {
    std::vector<faultline::Override> overrides = {
        {"workloads.users.hosts", "client-{1.." + std::to_string(r.clients) + "}"},
        {"workloads.users.open_loop.rate", number(r.rate / static_cast<double>(r.clients)) + "/s"},
        {"duration", r.duration},
    };
    faultline::LoadedScenario loaded = faultline::load_scenario_file(scenario_path);
    std::string error;
    std::unique_ptr<faultline::Scenario> scenario = loaded.info->make(overrides, error);
    if (!scenario) {
        std::fprintf(stderr, "scale_bench: %s\n", error.c_str());
        std::exit(2);
    }
    sim::Options o;
    scenario->configure(o);
    o.seed = r.seed;
    o.hash_trace = r.hash;
    o.metrics = r.metrics;
    std::unique_ptr<sim::TraceFile> trace;
    if (!r.trace.empty()) trace = sim::open_trace_file(r.trace);
    sim::RunResult result;
    double run_cpu = 0;
    {
        sim::Simulator sim(o);
        if (trace) sim.set_trace_sink(trace.get());
        {
            sim::CurrentScope scope(sim);
            scenario->build(sim);
        }
        run_cpu = bench::cpu_seconds_now();
        result = sim.run();
        run_cpu = bench::cpu_seconds_now() - run_cpu;
        sim.set_trace_sink(nullptr);
    }
    if (trace) trace->flush();
    return {result.trace_hash, result.events, sim::to_seconds(result.end_time.time_since_epoch()), run_cpu};
}

bench::Counts stampede_once(const StampedeRun& r) {
    try {
        return stampede_run(r);
    } catch (const std::exception& e) {  // a spec error: one line, and the row shows "failed"
        std::fprintf(stderr, "scale_bench: %s\n", e.what());
        std::exit(2);
    }
}

struct Row {
    bench::Measurement m;
    double sim_seconds() const { return m.counts.extra; }
    double speed() const { return m.counts.extra / m.cpu_seconds; }  // simulated seconds per CPU second
    double run_speed() const { return m.counts.extra / m.counts.core_cpu_seconds; }  // sim.run() alone
};

Row stampede(const StampedeRun& r, int reps) {
    return {bench::best_of(reps, [&] { return stampede_once(r); })};
}

void print_stampede_header() {
    std::printf("  %-9s %-12s %10s %8s %8s %8s %10s %9s %11s %12s %11s\n", "clients", "offered", "simulated", "CPU", "wall",
                "run CPU", "speed", "run only", "events/s", "peak RSS", "RSS/client");
}

void print_stampede(const StampedeRun& r, const Row& row) {
    if (!row.m.ok) {
        std::printf("  %-9llu %-12s  (failed)\n", static_cast<unsigned long long>(r.clients), (number(r.rate) + "/s").c_str());
        return;
    }
    std::printf("  %-9llu %-12s %9.0fs %7.1fs %7.1fs %7.1fs %9.1fx %8.1fx %11s %12s %9.1f KiB\n",
                static_cast<unsigned long long>(r.clients), (number(r.rate) + "/s").c_str(), row.sim_seconds(), row.m.cpu_seconds,
                row.m.seconds, row.m.counts.core_cpu_seconds, row.speed(), row.run_speed(),
                bench::human_rate(static_cast<double>(row.m.counts.events) / row.m.counts.core_cpu_seconds).c_str(),
                bench::human_kb(row.m.peak_rss_kb).c_str(), static_cast<double>(row.m.peak_rss_kb) / static_cast<double>(r.clients));
}

// ---- idle processes and wide worlds -----------------------------------------------------------

void idle(std::uint64_t n) {
    auto base = bench::measure([] { return bench::idle_processes(0); });
    auto m = bench::measure([&] { return bench::idle_processes(n); });
    const long kb = m.peak_rss_kb - base.peak_rss_kb;
    std::printf("idle processes: %llu parked, %s above an empty run (%.2f KiB each; peak RSS %s; target < 6 GiB: %s)\n",
                static_cast<unsigned long long>(n), bench::human_kb(kb).c_str(), static_cast<double>(kb) / static_cast<double>(n),
                bench::human_kb(m.peak_rss_kb).c_str(), m.ok && m.peak_rss_kb < 6L * 1024 * 1024 ? "met" : "MISSED");
}

bench::Counts hosts_once(std::uint64_t n) {
    sim::Simulator s;
    sim::Network net(s, sim::LinkOptions{.latency = sim::Delay::uniform(200us, 800us)});
    std::vector<sim::Host*> hosts;
    for (std::uint64_t i = 0; i < n; ++i) hosts.push_back(&s.add_host("h" + std::to_string(i)));
    std::uint64_t received = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        sim::Host& self = *hosts[i];
        sim::Host& next = *hosts[(i + 1) % n];
        auto& box = self.make<sim::Mailbox<std::uint64_t>>(net, self, "ping");
        self.spawn([&net, &box, &next, &received](sim::Ctx& ctx) {
            const std::uint32_t port = box.port();
            for (std::uint64_t k = 0; ctx.now() < sim::Time(10s); ++k) {
                sim::send_message(net, ctx.host(), next, port, k);
                while (box.try_recv()) ++received;
                ctx.sleep_for(10ms);
            }
        });
    }
    s.run();
    bench::Counts c{received, s.events(), sim::to_seconds(s.now().time_since_epoch())};
    s.shutdown();
    return c;
}

void hosts(std::uint64_t n, int reps) {
    auto m = bench::best_of(reps, [&] { return hosts_once(n); });
    std::printf("hosts: %llu in one run, %llu messages over %.0f simulated seconds in %.2fs CPU (%.2fs wall; %.1fx real "
                "time), %s events, peak RSS %s (%.1f KiB per host)\n",
                static_cast<unsigned long long>(n), static_cast<unsigned long long>(m.counts.work), m.counts.extra, m.cpu_seconds,
                m.seconds, m.counts.extra / m.cpu_seconds,
                bench::human_rate(static_cast<double>(m.counts.events) / m.cpu_seconds).c_str(),
                bench::human_kb(m.peak_rss_kb).c_str(), static_cast<double>(m.peak_rss_kb) / static_cast<double>(n));
}

// What the determinism hash, metrics and a trace file cost: the headline run with each on and
// off. The configurations take turns, best of max(reps, 3) each, so a burst of load on the
// machine does not land on one configuration only.
void observability(const std::string& duration, int reps) {
    const std::string trace = "/tmp/faultline-scale-bench-trace.jsonl";
    const std::string binary_trace = "/tmp/faultline-scale-bench-trace.ftrace";
    struct Config {
        const char* what;
        StampedeRun run;
        bool target;
        Row best{};
    };
    Config configs[] = {
        {"hash off, metrics off, no trace sink", {.duration = duration, .hash = false, .metrics = false}, false},
        {"determinism hash on", {.duration = duration, .hash = true, .metrics = false}, false},
        {"metrics on", {.duration = duration, .hash = false, .metrics = true}, false},
        {"hash and metrics on (the default run)", {.duration = duration}, true},
        {"default run + JSON Lines trace file", {.duration = duration, .trace = trace}, false},
        {"default run + binary trace file", {.duration = duration, .trace = binary_trace}, false},
    };
    for (int rep = 0; rep < std::max(reps, 3); ++rep) {
        for (Config& c : configs) {
            bench::Measurement m = bench::measure([&] { return stampede_once(c.run); });
            if (!c.run.trace.empty()) std::remove(c.run.trace.c_str());
            if (!c.best.m.ok || (m.ok && m.cpu_seconds < c.best.m.cpu_seconds)) c.best.m = m;
        }
    }
    std::printf("\nwhat observability costs (10,000 clients, 50,000/s; best of %d, in turns; against everything off)\n",
                std::max(reps, 3));
    const Row& off = configs[0].best;
    for (const Config& c : configs) {
        const double cost = c.best.m.cpu_seconds / off.m.cpu_seconds - 1;
        std::printf("  %-40s %5.0fs simulated %10llu events %7.2fs CPU  %+6.1f%%", c.what, c.best.sim_seconds(),
                    static_cast<unsigned long long>(c.best.m.counts.events), c.best.m.cpu_seconds, cost * 100);
        if (c.target) std::printf("  (target <= +25%%: %s)", c.best.m.ok && cost <= 0.25 ? "met" : "MISSED");
        // Metrics off, an invariant that reads them may end the run at another time: then the
        // runs did different work and the percentage means nothing.
        if (c.best.sim_seconds() != off.sim_seconds()) std::printf("  (ended at another time: not comparable)");
        std::printf("\n");
    }
}

// ---- everything ---------------------------------------------------------------------------------

void all(int reps, const std::string& duration) {
    idle(1'000'000);
    hosts(10'000, reps);

    std::printf("\ncache-flush stampede, %s planned (seed 1; speed: simulated seconds per CPU second, loading, building and\n"
                "tearing down the world included; run only: sim.run() alone; events/s: in sim.run())\n",
                duration.c_str());
    print_stampede_header();
    StampedeRun headline{.duration = duration};
    Row h = stampede(headline, reps);
    print_stampede(headline, h);
    std::printf("  target: 10,000 clients at 50,000/s at least 20x real time: %s\n\n",
                h.m.ok && h.speed() >= 20 ? "met" : "MISSED");

    std::printf("cost against clients (50,000 requests/s offered in all)\n");
    print_stampede_header();
    for (std::uint64_t clients : {1'000ull, 10'000ull, 100'000ull}) {
        StampedeRun r{.clients = clients, .duration = duration};
        print_stampede(r, clients == 10'000 ? h : stampede(r, reps));
    }
    std::printf("\ncost against load (10,000 clients)\n");
    print_stampede_header();
    for (double rate : {12'500.0, 25'000.0, 50'000.0, 100'000.0}) {
        StampedeRun r{.rate = rate, .duration = duration};
        print_stampede(r, rate == 50'000.0 ? h : stampede(r, reps));
    }

    observability(duration, reps);
}

}  // namespace

int main(int argc, char** argv) {
    std::string command = "all";
    std::uint64_t n = 0;
    StampedeRun r;
    int reps = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&] { return bench::option_value("scale_bench", argc, argv, i); };
        auto on_off = [&](const std::string& v) {
            if (v != "on" && v != "off") {
                std::fprintf(stderr, "scale_bench: %s takes on or off\n", a.c_str());
                std::exit(2);
            }
            return v == "on";
        };
        if (a == "all" || a == "stampede" || a == "observability") command = a;
        else if (a == "idle" || a == "hosts") {
            command = a;
            n = std::strtoull(value().c_str(), nullptr, 10);
        } else if (a == "--clients") r.clients = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--rate") r.rate = std::strtod(value().c_str(), nullptr);
        else if (a == "--duration") r.duration = value();
        else if (a == "--seed") r.seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--hash") r.hash = on_off(value());
        else if (a == "--metrics") r.metrics = on_off(value());
        else if (a == "--trace") r.trace = value();
        else if (a == "--reps") reps = std::atoi(value().c_str());
        else if (a == "--scenario") scenario_path = value();
        else {
            std::fprintf(stderr, "usage: scale_bench [all|idle N|hosts N|stampede|observability] [--clients N] [--rate R] [--duration D] "
                                 "[--seed S] [--hash on|off] [--metrics on|off] [--trace FILE] [--reps N] [--scenario PATH]\n");
            return 2;
        }
    }
    if (reps < 1 || r.clients < 1) {
        std::fprintf(stderr, "scale_bench: --reps and --clients must be at least 1\n");
        return 2;
    }
    if (command == "idle") idle(n);
    else if (command == "observability") observability(r.duration, reps);
    else if (command == "hosts") hosts(n, reps);
    else if (command == "stampede") {
        print_stampede_header();
        Row row = stampede(r, reps);
        print_stampede(r, row);
        if (row.m.ok) {
            std::printf("  events %llu, trace hash %016llx\n", static_cast<unsigned long long>(row.m.counts.events),
                        static_cast<unsigned long long>(row.m.counts.work));
        }
    } else all(reps, r.duration);
    return 0;
}
