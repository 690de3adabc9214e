// W2 ping-pong through the full network against the reference callback loop (same run).
// Usage: network_bench [--quick]
#include <cstdio>
#include <cstring>

#include "workloads/network_workloads.hpp"

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const std::uint64_t messages = quick ? 100'000 : 1'000'000;
    const int reps = quick ? 1 : 3;
    auto fl = bench::best_of(reps, [&] { return bench::w2_network(messages, 1000); });
    auto ref = bench::best_of(reps, [&] { return bench::w2_network_reference(messages, 1000); });
    const double ratio = fl.cpu_seconds / ref.cpu_seconds;
    std::printf("W2 through the network (1,000 pairs, %llu messages, uniform 0.5-1.5ms latency)\n",
                static_cast<unsigned long long>(messages));
    std::printf("  faultline  %s messages, %s events, peak RSS %s\n", bench::human_rate(fl.counts.work / fl.cpu_seconds).c_str(),
                bench::human_rate(fl.counts.events / fl.cpu_seconds).c_str(), bench::human_kb(fl.peak_rss_kb).c_str());
    std::printf("  reference  %s messages\n", bench::human_rate(ref.counts.work / ref.cpu_seconds).c_str());
    std::printf("  ratio      %.2fx  (target <= 3.0x: %s)\n", ratio, ratio <= 3.0 ? "met" : "MISSED");
    return 0;
}
