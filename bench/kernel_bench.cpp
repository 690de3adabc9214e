// Kernel benchmarks: W1 timer churn, W2 ping-pong, W3 M/M/1 against the reference callback
// loop, each measured in the same run (ratios, not absolute times, are the figures), plus idle
// process memory and the short-lived spawn rate.
//
// Usage: kernel_bench [--quick]   (--quick: a tenth of the work, for a smoke run)
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
    double fl_rate = r.fl.counts.work / r.fl.seconds;
    double ref_rate = r.ref.counts.work / r.ref.seconds;
    double ratio = r.fl.seconds / r.ref.seconds;
    std::printf("%-16s %12s %12s %12s %12s %8.2fx  (target <= %.1fx: %s)\n", r.name,
                bench::human_rate(fl_rate).c_str(), bench::human_rate(r.fl.counts.events / r.fl.seconds).c_str(),
                bench::human_rate(ref_rate).c_str(), bench::human_kb(r.fl.peak_rss_kb).c_str(), ratio, r.target,
                ratio <= r.target ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const std::uint64_t scale = quick ? 10 : 1;
    const int reps = quick ? 1 : 3;

    std::printf("faultline kernel benchmarks (best of %d; faultline vs the reference callback loop, same run)\n\n", reps);
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
    double spawn_rate = spawns.counts.work / spawns.seconds;
    std::printf("short-lived      %s spawns (spawn, run, end; target >= 3M/s: %s)\n", bench::human_rate(spawn_rate).c_str(),
                spawn_rate >= 3e6 ? "met" : "MISSED");
    return 0;
}
