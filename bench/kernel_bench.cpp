// Kernel benchmarks: W1 timer churn, W2 ping-pong, W3 M/M/1 against the reference callback
// loop, each measured in the same run (ratios, not absolute times, are the figures), plus idle
// process memory and the short-lived spawn rate.
//
// Usage: kernel_bench [--quick] [--only w1|w2|w3|w1-ref|w2-ref|w3-ref|spawns]
//   --quick: a tenth of the work, for a smoke run; --only: one workload in this process (for
//   callgrind: valgrind --tool=callgrind build/perf/bench/kernel_bench --quick --only w2)
#include <cstdio>
#include <cstring>

#include "workloads/kernel_workloads.hpp"

namespace {

struct Row {
    const char* name;
    bench::Measurement fl, ref;
    double target;
};

void print_row(const Row& r) {
    double fl_rate = r.fl.counts.work / r.fl.cpu_seconds;
    double ref_rate = r.ref.counts.work / r.ref.cpu_seconds;
    double ratio = r.fl.cpu_seconds / r.ref.cpu_seconds;
    std::printf("%-16s %12s %12s %12s %12s %8.2fx  (target <= %.1fx: %s)\n", r.name,
                bench::human_rate(fl_rate).c_str(), bench::human_rate(r.fl.counts.events / r.fl.cpu_seconds).c_str(),
                bench::human_rate(ref_rate).c_str(), bench::human_kb(r.fl.peak_rss_kb).c_str(), ratio, r.target,
                ratio <= r.target ? "met" : "MISSED");
}

// One workload in this process, without forking: for valgrind --tool=callgrind.
int run_only(const char* name, std::uint64_t scale) {
    bench::Counts c{};
    if (std::strcmp(name, "w1") == 0) c = bench::w1_faultline(10'000'000 / scale, 1000);
    else if (std::strcmp(name, "w1-ref") == 0) c = bench::w1_reference(10'000'000 / scale, 1000);
    else if (std::strcmp(name, "w2") == 0) c = bench::w2_faultline(1'000'000 / scale, 1000);
    else if (std::strcmp(name, "w2-ref") == 0) c = bench::w2_reference(1'000'000 / scale, 1000);
    else if (std::strcmp(name, "w3") == 0) c = bench::w3_faultline(1'000'000 / scale);
    else if (std::strcmp(name, "w3-ref") == 0) c = bench::w3_reference(1'000'000 / scale);
    else if (std::strcmp(name, "spawns") == 0) c = bench::short_lived_spawns(3'000'000 / scale);
    else {
        std::fprintf(stderr, "kernel_bench: unknown workload '%s' (w1, w2, w3, their -ref forms, spawns)\n", name);
        return 2;
    }
    std::printf("%s: %llu units, %llu events\n", name, static_cast<unsigned long long>(c.work),
                static_cast<unsigned long long>(c.events));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    const char* only = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) quick = true;
        else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    }
    if (only != nullptr) return run_only(only, quick ? 10 : 1);
    const std::uint64_t scale = quick ? 10 : 1;
    const int reps = quick ? 1 : 3;

    std::printf("faultline kernel benchmarks (best of %d by CPU time; faultline vs the reference callback loop, same run)\n\n", reps);
    std::printf("%-16s %12s %12s %12s %12s %9s\n", "workload", "faultline", "fl events", "reference", "fl peak RSS", "ratio");

    Row w1{"W1 timer churn", bench::best_of(reps, [&] { return bench::w1_faultline(10'000'000 / scale, 1000); }),
           bench::best_of(reps, [&] { return bench::w1_reference(10'000'000 / scale, 1000); }), 2.0};
    print_row(w1);
    Row w2{"W2 ping-pong", bench::best_of(reps, [&] { return bench::w2_faultline(1'000'000 / scale, 1000); }),
           bench::best_of(reps, [&] { return bench::w2_reference(1'000'000 / scale, 1000); }), 2.5};
    print_row(w2);
    Row w3{"W3 M/M/1", bench::best_of(reps, [&] { return bench::w3_faultline(1'000'000 / scale); }),
           bench::best_of(reps, [&] { return bench::w3_reference(1'000'000 / scale); }), 2.0};
    print_row(w3);
    std::printf("%-16s mean response %.3f ms (faultline) / %.3f ms (reference); theory W = 1/(mu-lambda) = 10 ms\n", "",
                w3.fl.counts.extra, w3.ref.counts.extra);

    const std::uint64_t idle_n = 100'000;
    auto baseline = bench::measure([] { return bench::idle_processes(0); });
    auto idle = bench::measure([&] { return bench::idle_processes(idle_n); });
    const long idle_kb = idle.peak_rss_kb - baseline.peak_rss_kb;
    std::printf("\nidle processes   %llu parked: %s above an empty run (%.2f KiB each; target < 1 GiB: %s)\n",
                static_cast<unsigned long long>(idle_n), bench::human_kb(idle_kb).c_str(), idle_kb / double(idle_n),
                idle_kb < 1024 * 1024 ? "met" : "MISSED");

    auto spawns = bench::best_of(reps, [&] { return bench::short_lived_spawns(3'000'000 / scale); });
    double spawn_rate = spawns.counts.work / spawns.cpu_seconds;
    std::printf("short-lived      %s spawns (spawn, run, end; target >= 3M/s: %s)\n", bench::human_rate(spawn_rate).c_str(),
                spawn_rate >= 3e6 ? "met" : "MISSED");
    return 0;
}
