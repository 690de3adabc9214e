// The simulated disk under a write-ahead log's load: one process appends a record and fsyncs it,
// N times, then 4N times in a fresh run. The figure is the cost per record at 4N against at N
// (same run): 1.0x when an fsync costs what changed, 4x if it copied the whole file (as it did
// before sim/disk_file.hpp; 100 simulated seconds of such a log at 2,000 records a second took
// five minutes). Beside it, a plain loop appending the same bytes to one std::string: what the
// bytes alone cost.
// Usage: disk_bench [--quick]
#include <cstdio>
#include <cstring>
#include <string>

#include "harness.hpp"
#include "sim/disk.hpp"
#include "sim/sim.hpp"

namespace {

constexpr std::size_t record_bytes = 200;

bench::Counts wal(std::uint64_t records) {
    sim::Simulator s;
    sim::Host& h = s.add_host("db");
    sim::DiskOptions o;
    o.capacity_bytes = std::uint64_t{1} << 40;
    sim::Disk& d = sim::disk(h, o);
    std::uint64_t done = 0;
    h.spawn([&](sim::Ctx& ctx) {
        const std::string record(record_bytes, 'r');
        for (std::uint64_t i = 0; i < records; ++i) {
            if (!d.append(ctx, "wal", record) || !d.fsync(ctx, "wal")) return;
            ++done;
        }
    });
    s.run();
    if (d.size("wal") != records * record_bytes) std::abort();
    return {done, s.events(), 0, 0};
}

bench::Counts reference(std::uint64_t records) {
    std::string log;
    const std::string record(record_bytes, 'r');
    for (std::uint64_t i = 0; i < records; ++i) log += record;
    if (log.size() != records * record_bytes) std::abort();
    return {records, 0, 0, 0};
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const std::uint64_t n = quick ? 10'000 : 50'000;
    const int reps = quick ? 1 : 3;
    const auto small = bench::best_of(reps, [&] { return wal(n); });
    const auto large = bench::best_of(reps, [&] { return wal(4 * n); });
    const auto ref = bench::best_of(reps, [&] { return reference(4 * n); });
    if (!small.ok || !large.ok || !ref.ok) {
        std::printf("disk_bench: a measurement failed\n");
        return 1;
    }
    const double per_small = small.cpu_seconds / static_cast<double>(n);
    const double per_large = large.cpu_seconds / static_cast<double>(4 * n);
    const double growth = per_large / per_small;
    std::printf("simulated disk: append %zu bytes + fsync per record (a write-ahead log)\n", record_bytes);
    std::printf("  %7llu records  %s records, peak RSS %s\n", static_cast<unsigned long long>(n),
                bench::human_rate(static_cast<double>(n) / small.cpu_seconds).c_str(), bench::human_kb(small.peak_rss_kb).c_str());
    std::printf("  %7llu records  %s records, peak RSS %s\n", static_cast<unsigned long long>(4 * n),
                bench::human_rate(static_cast<double>(4 * n) / large.cpu_seconds).c_str(),
                bench::human_kb(large.peak_rss_kb).c_str());
    std::printf("  reference        %s records (appending the bytes to one std::string)\n",
                bench::human_rate(static_cast<double>(4 * n) / ref.cpu_seconds).c_str());
    std::printf("  cost per record at 4x the records: %.2fx  (target <= 1.5x, linear; a copy per fsync gives ~4x: %s)\n",
                growth, growth <= 1.5 ? "met" : "MISSED");
    return 0;
}
